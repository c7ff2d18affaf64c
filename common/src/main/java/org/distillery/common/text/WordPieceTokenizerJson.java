package org.distillery.common.text;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import org.distillery.common.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a Hugging Face {@code tokenizer.json} for a BERT-style WordPiece vocabulary: BERT normalizer (lower-casing
 * optional), BERT pre-tokenizer, WordPiece model with {@code ##} continuations, and the
 * {@code [CLS] A [SEP] B [SEP]} template with type ids 0 and 1.
 */
public final class WordPieceTokenizerJson {
    private WordPieceTokenizerJson() {
    }

    /**
     * @param vocab tokens in id order; must contain [PAD], [UNK], [CLS], [SEP] and [MASK]
     */
    public static JsonObject build(List<String> vocab, boolean lowercase) {
        for (String special : new String[]{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
            if (!vocab.contains(special)) {
                throw new IllegalArgumentException("vocabulary lacks " + special);
            }
        }
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (String special : new String[]{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
            JsonObject token = new JsonObject();
            token.addProperty("id", vocab.indexOf(special));
            token.addProperty("content", special);
            token.addProperty("single_word", false);
            token.addProperty("lstrip", false);
            token.addProperty("rstrip", false);
            token.addProperty("normalized", false);
            token.addProperty("special", true);
            added.add(token);
        }
        root.add("added_tokens", added);
        JsonObject normalizer = new JsonObject();
        normalizer.addProperty("type", "BertNormalizer");
        normalizer.addProperty("clean_text", true);
        normalizer.addProperty("handle_chinese_chars", true);
        normalizer.add("strip_accents", JsonNull.INSTANCE);
        normalizer.addProperty("lowercase", lowercase);
        root.add("normalizer", normalizer);
        JsonObject preTokenizer = new JsonObject();
        preTokenizer.addProperty("type", "BertPreTokenizer");
        root.add("pre_tokenizer", preTokenizer);
        root.add("post_processor", template(vocab.indexOf("[CLS]"), vocab.indexOf("[SEP]")));
        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "WordPiece");
        decoder.addProperty("prefix", "##");
        decoder.addProperty("cleanup", true);
        root.add("decoder", decoder);
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordPiece");
        model.addProperty("unk_token", "[UNK]");
        model.addProperty("continuing_subword_prefix", "##");
        model.addProperty("max_input_chars_per_word", 100);
        JsonObject ids = new JsonObject();
        for (int i = 0; i < vocab.size(); i++) {
            if (!ids.has(vocab.get(i))) {
                ids.addProperty(vocab.get(i), i);
            }
        }
        model.add("vocab", ids);
        root.add("model", model);
        return root;
    }

    private static JsonObject template(int cls, int sep) {
        JsonObject post = new JsonObject();
        post.addProperty("type", "TemplateProcessing");
        JsonArray single = new JsonArray();
        single.add(special("[CLS]", 0));
        single.add(sequence("A", 0));
        single.add(special("[SEP]", 0));
        JsonArray pair = new JsonArray();
        pair.add(special("[CLS]", 0));
        pair.add(sequence("A", 0));
        pair.add(special("[SEP]", 0));
        pair.add(sequence("B", 1));
        pair.add(special("[SEP]", 1));
        post.add("single", single);
        post.add("pair", pair);
        JsonObject specials = new JsonObject();
        specials.add("[CLS]", specialEntry("[CLS]", cls));
        specials.add("[SEP]", specialEntry("[SEP]", sep));
        post.add("special_tokens", specials);
        return post;
    }

    private static JsonObject special(String id, int typeId) {
        return piece("SpecialToken", id, typeId);
    }

    private static JsonObject sequence(String id, int typeId) {
        return piece("Sequence", id, typeId);
    }

    /** One element of a template: {"SpecialToken": {"id": "[CLS]", "type_id": 0}} or a "Sequence". */
    private static JsonObject piece(String kind, String id, int typeId) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject o = new JsonObject();
        o.add(kind, inner);
        return o;
    }

    private static JsonObject specialEntry(String token, int id) {
        JsonObject o = new JsonObject();
        o.addProperty("id", token);
        JsonArray ids = new JsonArray();
        ids.add(id);
        o.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add(token);
        o.add("tokens", tokens);
        return o;
    }

    /** Writes the tokenizer.json through a temporary file and an atomic rename. */
    public static void write(List<String> vocab, boolean lowercase, Path target) throws IOException {
        AtomicFiles.writeString(target, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
                .toJson(build(vocab, lowercase)));
    }
}
