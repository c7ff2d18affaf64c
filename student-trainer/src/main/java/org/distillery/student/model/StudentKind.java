package org.distillery.student.model;

import com.google.gson.annotations.SerializedName;

import java.util.Arrays;
import java.util.Locale;

/** The student architectures: a BERT-style encoder, or a fastText-style bag of embeddings. */
public enum StudentKind {
    @SerializedName("bert") BERT,
    @SerializedName("fasttext") FASTTEXT;

    /** The name on the command line and in {@code config.json}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException listing the kinds when {@code text} is none of them */
    public static StudentKind parse(String text) {
        return Arrays.stream(values()).filter(k -> k.id().equals(text)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("student must be bert or fasttext, got '" + text + "'"));
    }

    @Override
    public String toString() {
        return id();
    }
}
