package org.distillery.student.options;

import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;

import java.nio.file.Path;

/**
 * The student's architecture as the user chooses it; the vocabulary and label count come from the tokenizer and
 * the data ({@link #config}).
 *
 * @param kind             BERT-style encoder or fastText-style bag of embeddings
 * @param layers           encoder layers (bert)
 * @param hidden           hidden width (embedding width for fasttext)
 * @param heads            attention heads (bert; must divide hidden)
 * @param intermediate     feed-forward width (bert)
 * @param maxLength        longest sequence in tokens (longer texts are truncated)
 * @param dropout          dropout probability while training
 * @param initFromTeacher  a BERT-style teacher's ONNX file to initialise from (DistilBERT recipe), or null
 */
public record StudentOptions(StudentKind kind, int layers, int hidden, int heads, int intermediate, int maxLength,
                             float dropout, Path initFromTeacher) {
    /** A BERT-style student of 2 layers × 128, 2 heads, feed-forward 512, 128 tokens, dropout 0.1. */
    public static final StudentOptions DEFAULTS = new StudentOptions(StudentKind.BERT, 2, 128, 2, 512, 128, 0.1f,
            null);

    public StudentOptions {
        if (kind == null) {
            throw new IllegalArgumentException("student must be bert or fasttext, got none");
        }
        Checks.atLeast("--layers", 1, layers);
        Checks.atLeast("--hidden", 1, hidden);
        Checks.atLeast("--heads", 1, heads);
        Checks.atLeast("--intermediate", 1, intermediate);
        Checks.atLeast("--max-length", 2, maxLength);
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        }
    }

    /** A BERT-style model of this size with a feed-forward width of 4 × hidden and one head per 64 wide. */
    public static StudentOptions bert(int layers, int hidden, int maxLength) {
        return new StudentOptions(StudentKind.BERT, layers, hidden, Math.max(1, hidden / 64), hidden * 4, maxLength,
                DEFAULTS.dropout(), null);
    }

    /** The architecture for a vocabulary and a label count. */
    public StudentConfig config(int vocabSize, int labels) {
        return new StudentConfig(kind, vocabSize, hidden, layers, heads, intermediate, maxLength, labels, dropout);
    }
}
