package org.distillery.student;

import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A small sentiment-like corpus over the test tokenizer's vocabulary: label 1 iff the sentence is positive. */
public final class TinyCorpus {
    private static final String[] SUBJECTS = {"the movie", "the cat", "a dog", "the ball", "the mat"};
    private static final String[] POSITIVE = {"was great", "is good", "was very good", "is great !"};
    private static final String[] NEGATIVE = {"was terrible", "is bad", "was not good", "is very bad ."};

    private TinyCorpus() {
    }

    public static Dataset make(int n, long seed) {
        Random random = new Random(seed);
        List<Example> examples = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(2);
            String[] verbs = label == 1 ? POSITIVE : NEGATIVE;
            String text = SUBJECTS[random.nextInt(SUBJECTS.length)] + " " + verbs[random.nextInt(verbs.length)];
            examples.add(new Example(text, "", label));
        }
        return new Dataset("tiny-" + seed, examples, List.of("negative", "positive"));
    }
}
