package org.distillery.student.model;

/**
 * Architecture of a student; stored as {@code config.json} in a run directory.
 *
 * @param kind         BERT-style encoder or fastText-style bag of embeddings
 * @param vocabSize    word embedding rows (the tokenizer's vocabulary)
 * @param hidden       hidden width (the embedding width for fasttext)
 * @param layers       encoder layers (bert)
 * @param heads        attention heads (bert; divides hidden)
 * @param intermediate feed-forward width (bert)
 * @param maxLength    longest sequence, position embedding rows (bert)
 * @param labels       classifier outputs (the vocabulary size for a masked LM)
 * @param dropout      dropout probability during training
 */
public record StudentConfig(StudentKind kind, int vocabSize, int hidden, int layers, int heads, int intermediate,
                            int maxLength, int labels, float dropout) {
    public StudentConfig {
        if (kind == null) {
            throw new IllegalArgumentException("student kind must be bert, fasttext or bert-mlm, got none");
        }
        positive("vocab size", vocabSize);
        positive("hidden", hidden);
        positive("labels", labels);
        positive("max length", maxLength);
        if (kind.isBert()) {
            positive("layers", layers);
            positive("heads", heads);
            positive("intermediate", intermediate);
            if (hidden % heads != 0) {
                throw new IllegalArgumentException("heads (" + heads + ") must divide hidden (" + hidden + ")");
            }
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + value);
        }
    }
}
