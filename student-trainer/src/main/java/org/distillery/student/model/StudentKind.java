package org.distillery.student.model;

import com.google.gson.annotations.SerializedName;

import java.util.Arrays;
import java.util.Locale;

/**
 * The student architectures: a BERT-style encoder classifier, a fastText-style bag of embeddings, or a BERT-style
 * masked language model (the encoder with a tied MLM head; its "labels" are the vocabulary).
 */
public enum StudentKind {
    @SerializedName("bert") BERT,
    @SerializedName("fasttext") FASTTEXT,
    @SerializedName("bert-mlm") BERT_MLM;

    /** The name on the command line and in {@code config.json}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** True for the BERT-style encoders (classifier or masked LM). */
    public boolean isBert() {
        return this != FASTTEXT;
    }

    /** @throws IllegalArgumentException listing the kinds when {@code text} is none of them */
    public static StudentKind parse(String text) {
        return Arrays.stream(values()).filter(k -> k.id().equals(text)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("student must be bert, fasttext or bert-mlm, got '" + text + "'"));
    }

    @Override
    public String toString() {
        return id();
    }
}
