package org.distillery.common.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * DJL's Hugging Face tokenizer over a {@code tokenizer.json}, shared by the teacher server and the trainer:
 * texts (with optional pairs) are truncated to a max length, get special tokens, and are padded to the batch's
 * longest with the tokenizer's pad id.
 */
public final class PaddedTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private HuggingFaceTokenizer untruncated;
    private final long padId;
    private final int maxLength;
    private final int vocabularySize;

    private PaddedTokenizer(HuggingFaceTokenizer tokenizer, Path file, long padId, int maxLength,
                            int vocabularySize) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.padId = padId;
        this.maxLength = maxLength;
        this.vocabularySize = vocabularySize;
    }

    /**
     * Loads a tokenizer file.
     *
     * @param padIdOverride pad id to use instead of the file's, or null
     * @throws IOException naming the file when it is missing or not a tokenizer
     */
    public static PaddedTokenizer load(Path file, int maxLength, Long padIdOverride) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("tokenizer file not found: " + file);
        }
        if (maxLength < 2) {
            throw new IllegalArgumentException("max length must be >= 2, got " + maxLength);
        }
        JsonObject root = read(file);
        long padId = padIdOverride != null ? padIdOverride : padId(root);
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder().optTokenizerPath(file)
                    .optMaxLength(maxLength).optTruncation(true).optPadding(false).optAddSpecialTokens(true).build();
            return new PaddedTokenizer(tokenizer, file, padId, maxLength, vocabularySize(root));
        } catch (RuntimeException e) {
            throw new IOException("not a valid tokenizer.json: " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static JsonObject read(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            JsonElement parsed = JsonParser.parseReader(reader);
            if (!parsed.isJsonObject()) {
                throw new IOException("not a valid tokenizer.json: " + file + " (expected a JSON object)");
            }
            return parsed.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("not a valid tokenizer.json: " + file + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * One more than the largest token id the file defines: in the model's vocabulary (an object of token to id, or
     * a list of entries as unigram models have) and among the added tokens. This is the number of embedding rows a
     * model over this tokenizer needs.
     */
    private static int vocabularySize(JsonObject root) {
        long largest = -1;
        JsonElement model = root.get("model");
        JsonElement vocab = model != null && model.isJsonObject() ? model.getAsJsonObject().get("vocab") : null;
        if (vocab instanceof JsonObject map) {
            for (String token : map.keySet()) {
                largest = Math.max(largest, map.get(token).getAsLong());
            }
        } else if (vocab != null && vocab.isJsonArray()) {
            largest = vocab.getAsJsonArray().size() - 1L;
        }
        JsonElement added = root.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement token : added.getAsJsonArray()) {
                if (token.isJsonObject() && token.getAsJsonObject().has("id")) {
                    largest = Math.max(largest, token.getAsJsonObject().get("id").getAsLong());
                }
            }
        }
        return (int) (largest + 1);
    }

    /** The pad id from the file's padding section, else the id of [PAD] or &lt;pad&gt;, else 0. */
    private static long padId(JsonObject root) {
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

    /** The number of token ids the tokenizer can produce (embedding rows a model needs). */
    public int vocabularySize() {
        return vocabularySize;
    }

    /** Ids of a whole text, without special tokens and not truncated (a corpus cut into pieces later). */
    public synchronized long[] ids(String text) {
        if (untruncated == null) {
            try {
                untruncated = HuggingFaceTokenizer.builder().optTokenizerPath(file).optTruncation(false)
                        .optPadding(false).optAddSpecialTokens(false).build();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return untruncated.encode(text, false, false).getIds();
    }

    /**
     * Encodes texts into one padded batch.
     *
     * @param pairs second segments, same size as {@code texts}, "" for none; or null
     */
    public TokenIds encode(List<String> texts, List<String> pairs) {
        Encoding[] encodings = new Encoding[texts.size()];
        int longest = 1;
        for (int i = 0; i < encodings.length; i++) {
            String pair = pairs == null ? "" : pairs.get(i);
            encodings[i] = pair.isEmpty() ? tokenizer.encode(texts.get(i)) : tokenizer.encode(texts.get(i), pair);
            longest = Math.max(longest, encodings[i].getIds().length);
        }
        int n = encodings.length;
        long[] ids = new long[n * longest];
        long[] mask = new long[n * longest];
        long[] types = new long[n * longest];
        Arrays.fill(ids, padId);
        for (int i = 0; i < n; i++) {
            long[] e = encodings[i].getIds();
            System.arraycopy(e, 0, ids, i * longest, e.length);
            System.arraycopy(encodings[i].getAttentionMask(), 0, mask, i * longest, e.length);
            System.arraycopy(encodings[i].getTypeIds(), 0, types, i * longest, e.length);
        }
        return new TokenIds(ids, mask, types, n, longest);
    }

    @Override
    public synchronized void close() {
        tokenizer.close();
        if (untruncated != null) {
            untruncated.close();
        }
    }
}
