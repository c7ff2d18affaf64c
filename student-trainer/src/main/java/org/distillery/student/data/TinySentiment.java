package org.distillery.student.data;

import java.util.ArrayList;
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
