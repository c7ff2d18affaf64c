package org.distillery.common.testing;

import org.distillery.common.text.WordPieceTokenizerJson;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A tiny uncased WordPiece vocabulary (ids below 100, for {@link TestTeachers#TINY_BERT}) and its tokenizer.json. */
public final class TestTokenizers {
    public static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "the", "cat", "sat", "on", "mat", "dog", "##s", "a", "is", "good", "bad", "hello", "world", "movie",
            "was", "great", "terrible", "and", "not", "very", "##ly", "play", "##ing", "with", "ball", ".", ",", "!");

    private TestTokenizers() {
    }

    public static Path write(Path file) throws IOException {
        WordPieceTokenizerJson.write(VOCAB, true, file);
        return file;
    }

    /** The id of a token in {@link #VOCAB}. */
    public static long id(String token) {
        int i = VOCAB.indexOf(token);
        if (i < 0) {
            throw new IllegalArgumentException(token);
        }
        return i;
    }
}
