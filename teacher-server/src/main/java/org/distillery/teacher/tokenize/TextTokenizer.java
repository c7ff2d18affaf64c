package org.distillery.teacher.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.proto.v1.TextInput;
import org.distillery.teacher.runtime.HostTensor;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Server-side tokenization with DJL's Hugging Face tokenizer: texts (and optional pairs) become {@code input_ids},
 * {@code attention_mask} and {@code token_type_ids}, truncated to the max length and padded to the request's longest.
 */
public final class TextTokenizer implements AutoCloseable {
    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    /** The inputs a tokenizer can feed. */
    public static final Set<String> PRODUCED = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);

    private final HuggingFaceTokenizer tokenizer;
    private final long padId;
    private final int maxLength;

    private TextTokenizer(HuggingFaceTokenizer tokenizer, long padId, int maxLength) {
        this.tokenizer = tokenizer;
        this.padId = padId;
        this.maxLength = maxLength;
    }

    /**
     * Loads a {@code tokenizer.json}.
     *
     * @param padIdOverride pad id to use instead of the file's, or null
     * @throws IOException when the file is missing or not a tokenizer
     */
    public static TextTokenizer load(Path file, int maxLength, Long padIdOverride) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("tokenizer file not found: " + file);
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("max_length must be >= 2, got " + maxLength);
        }
        long padId = padIdOverride != null ? padIdOverride : padIdFromFile(file);
        HuggingFaceTokenizer tokenizer;
        try {
            tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(file).optMaxLength(maxLength)
                    .optTruncation(true).optPadding(false).optAddSpecialTokens(true).build();
        } catch (RuntimeException e) {
            throw new IOException("not a valid tokenizer.json: " + file + " (" + e.getMessage() + ")", e);
        }
        return new TextTokenizer(tokenizer, padId, maxLength);
    }

    /** The pad id from the file's padding section, else the id of [PAD] or &lt;pad&gt;, else 0. */
    private static long padIdFromFile(Path file) throws IOException {
        JsonObject root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement parsed = JsonParser.parseReader(reader);
            if (!parsed.isJsonObject()) {
                throw new IOException("not a valid tokenizer.json: " + file + " (expected a JSON object)");
            }
            root = parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("not a valid tokenizer.json: " + file + " (" + e.getMessage() + ")", e);
        }
        JsonElement padding = root.get("padding");
        if (padding != null && padding.isJsonObject() && padding.getAsJsonObject().has("pad_id")) {
            return padding.getAsJsonObject().get("pad_id").getAsLong();
        }
        JsonElement model = root.get("model");
        if (model != null && model.isJsonObject() && model.getAsJsonObject().get("vocab") instanceof JsonObject) {
            JsonObject vocab = model.getAsJsonObject().getAsJsonObject("vocab");
            for (String token : new String[]{"[PAD]", "<pad>"}) {
                if (vocab.has(token)) {
                    return vocab.get(token).getAsLong();
                }
            }
        }
        return 0;
    }

    public long padId() {
        return padId;
    }

    public int maxLength() {
        return maxLength;
    }

    /**
     * Tokenizes a batch of texts into the inputs the model declares, shape {@code [texts, longest]}, padded with the
     * pad id (ids) or 0 (mask, type ids).
     */
    public Map<String, HostTensor> encode(List<TextInput> texts, Set<String> modelInputs) {
        Encoding[] encodings = new Encoding[texts.size()];
        int longest = 0;
        for (int i = 0; i < encodings.length; i++) {
            TextInput text = texts.get(i);
            encodings[i] = text.getTextPair().isEmpty() ? tokenizer.encode(text.getText())
                    : tokenizer.encode(text.getText(), text.getTextPair());
            longest = Math.max(longest, encodings[i].getIds().length);
        }
        int n = encodings.length;
        long[] ids = new long[n * longest];
        long[] mask = new long[n * longest];
        long[] types = new long[n * longest];
        java.util.Arrays.fill(ids, padId);
        for (int i = 0; i < n; i++) {
            long[] e = encodings[i].getIds();
            System.arraycopy(e, 0, ids, i * longest, e.length);
            System.arraycopy(encodings[i].getAttentionMask(), 0, mask, i * longest, e.length);
            System.arraycopy(encodings[i].getTypeIds(), 0, types, i * longest, e.length);
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put(INPUT_IDS, HostTensor.ofLongs(ids, n, longest));
        if (modelInputs.contains(ATTENTION_MASK)) {
            out.put(ATTENTION_MASK, HostTensor.ofLongs(mask, n, longest));
        }
        if (modelInputs.contains(TOKEN_TYPE_IDS)) {
            out.put(TOKEN_TYPE_IDS, HostTensor.ofLongs(types, n, longest));
        }
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
