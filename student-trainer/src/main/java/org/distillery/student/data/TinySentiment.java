package org.distillery.student.data;

import org.distillery.common.text.WordPieceTokenizerJson;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;
import java.util.Random;

/**
 * A tiny built-in corpus of short positive and negative sentences, for smoke runs of the whole pipeline in seconds.
 * Generated from a seed; not a benchmark.
 */
public final class TinySentiment {
    private static final String[] SUBJECTS = {"the movie", "this film", "the plot", "the acting", "the ending",
            "the music", "the story", "this book"};
    private static final String[] POSITIVE = {"was great", "is wonderful", "was very good", "is brilliant",
            "was a joy", "is excellent"};
    private static final String[] NEGATIVE = {"was terrible", "is awful", "was very bad", "is boring",
            "was a mess", "is dreadful"};

    private TinySentiment() {
    }

    /**
     * Writes an uncased WordPiece tokenizer.json whose vocabulary is the special tokens and every word of the corpus,
     * so smoke runs need no download.
     */
    public static Path writeTokenizer(Path file) throws IOException {
        Set<String> vocab = new LinkedHashSet<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (String[] phrases : new String[][]{SUBJECTS, POSITIVE, NEGATIVE}) {
            for (String phrase : phrases) {
                vocab.addAll(Arrays.asList(phrase.split(" ")));
            }
        }
        WordPieceTokenizerJson.write(new ArrayList<>(vocab), true, file);
        return file;
    }

    public static Dataset make(int n, long seed) {
        return make(n, seed, SUBJECTS, POSITIVE, NEGATIVE, "tiny-sentiment@" + seed);
    }

    /** {@code n} sentences "subject verb-phrase" with label 1 iff the phrase comes from {@code positive}. */
    public static Dataset make(int n, long seed, String[] subjects, String[] positive, String[] negative,
                               String source) {
        Random random = new Random(seed);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(2);
            String[] verbs = label == 1 ? positive : negative;
            examples.add(new Example(subjects[random.nextInt(subjects.length)] + " " + verbs[random.nextInt(
                    verbs.length)], "", label));
        }
        return new Dataset(source, examples, List.of("negative", "positive"));
    }
}
