package org.distillery.teacher.tokenize;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.TextInput;
import org.distillery.teacher.runtime.HostTensor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-side tokenization: texts (and optional pairs) become {@code input_ids}, {@code attention_mask} and
 * {@code token_type_ids}, truncated to the max length and padded to the request's longest.
 */
public final class TextTokenizer implements AutoCloseable {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    /** The inputs a tokenizer can feed. */
    public static final Set<String> PRODUCED = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final PaddedTokenizer tokenizer;

    private TextTokenizer(PaddedTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @param padIdOverride pad id to use instead of the file's, or null
     * @throws IOException when the file is missing or not a tokenizer
     */
    public static TextTokenizer load(Path file, int maxLength, Long padIdOverride) throws IOException {
        return new TextTokenizer(PaddedTokenizer.load(file, maxLength, padIdOverride));
    }

    public long padId() {
        return tokenizer.padId();
    }

    public int maxLength() {
        return tokenizer.maxLength();
    }

    /** Tokenizes texts into the inputs the model declares, shape {@code [texts, longest]}. */
    public Map<String, HostTensor> encode(List<TextInput> texts, Set<String> modelInputs) {
        return tokenize(texts, modelInputs).inputs();
    }

    /** Tokenizes texts into the inputs the model declares, with each text's own token count. */
    public Tokenized tokenize(List<TextInput> texts, Set<String> modelInputs) {
        List<String> first = new ArrayList<>(texts.size());
        List<String> pairs = new ArrayList<>(texts.size());
        texts.forEach(t -> {
            first.add(t.getText());
            pairs.add(t.getTextPair());
        });
        TokenIds ids = tokenizer.encode(first, pairs);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(INPUT_IDS, HostTensor.ofLongs(ids.inputIds(), ids.batch(), ids.length()));
        if (modelInputs.contains(ATTENTION_MASK)) {
            out.put(ATTENTION_MASK, HostTensor.ofLongs(ids.attentionMask(), ids.batch(), ids.length()));
        }
        if (modelInputs.contains(TOKEN_TYPE_IDS)) {
            out.put(TOKEN_TYPE_IDS, HostTensor.ofLongs(ids.tokenTypeIds(), ids.batch(), ids.length()));
        }
        int[] lengths = new int[ids.batch()];
        for (int b = 0; b < ids.batch(); b++) {
            for (int i = 0; i < ids.length(); i++) {
                lengths[b] += (int) ids.attentionMask()[b * ids.length() + i];
            }
        }
        return new Tokenized(out, lengths);
    }

    /**
     * Tokenized texts.
     *
     * @param inputs  the model's inputs, {@code [texts, longest]}
     * @param lengths per text, its tokens before padding (special tokens included)
     */
    public record Tokenized(Map<String, HostTensor> inputs, int[] lengths) {
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
