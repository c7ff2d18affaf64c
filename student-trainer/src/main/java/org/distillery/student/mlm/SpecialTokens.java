package org.distillery.student.mlm;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The special token ids masked-LM training needs, read from a tokenizer file: BERT's {@code [CLS] [SEP] [MASK]
 * [PAD]} or RoBERTa's {@code <s> </s> <mask> <pad>}.
 */
public record SpecialTokens(int cls, int sep, int mask, int pad) {
    /** @throws IOException naming the file and the token when one is missing */
    public static SpecialTokens read(Path tokenizerFile) throws IOException {
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(tokenizerFile, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException("not a valid tokenizer.json: " + tokenizerFile + " (" + e.getMessage() + ")", e);
        }
        return new SpecialTokens(id(root, tokenizerFile, "[CLS]", "<s>"), id(root, tokenizerFile, "[SEP]", "</s>"),
                id(root, tokenizerFile, "[MASK]", "<mask>"), id(root, tokenizerFile, "[PAD]", "<pad>"));
    }

    /** True for any of the four. */
    public boolean isSpecial(int id) {
        return id == cls || id == sep || id == mask || id == pad;
    }

    private static int id(JsonObject root, Path file, String... names) throws IOException {
        JsonElement added = root.get("added_tokens");
        JsonElement model = root.get("model");
        JsonElement vocab = model != null && model.isJsonObject() ? model.getAsJsonObject().get("vocab") : null;
        for (String name : names) {
            if (added != null && added.isJsonArray()) {
                for (JsonElement t : added.getAsJsonArray()) {
                    if (t.isJsonObject() && name.equals(t.getAsJsonObject().get("content").getAsString())) {
                        return t.getAsJsonObject().get("id").getAsInt();
                    }
                }
            }
            if (vocab instanceof JsonObject map && map.has(name)) {
                return map.get(name).getAsInt();
            }
        }
        throw new IOException("tokenizer " + file + " has no " + String.join(" or ", List.of(names))
                + " token, which masked-LM training needs");
    }
}
