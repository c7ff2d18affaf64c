package org.distillery.student;

import org.distillery.student.data.Dataset;
import org.distillery.student.data.TinySentiment;

/** A small sentiment-like corpus over the test tokenizer's vocabulary: label 1 iff the sentence is positive. */
public final class TinyCorpus {
    private static final String[] SUBJECTS = {"the movie", "the cat", "a dog", "the ball", "the mat"};
    private static final String[] POSITIVE = {"was great", "is good", "was very good", "is great !"};
    private static final String[] NEGATIVE = {"was terrible", "is bad", "was not good", "is very bad ."};

    private TinyCorpus() {
    }

    public static Dataset make(int n, long seed) {
        return TinySentiment.make(n, seed, SUBJECTS, POSITIVE, NEGATIVE, "tiny-" + seed);
    }
}
