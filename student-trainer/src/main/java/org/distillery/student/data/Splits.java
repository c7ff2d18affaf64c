package org.distillery.student.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Deterministic stratified splits: each label's examples are shuffled from the seed and cut by the fractions. */
public final class Splits {
    private Splits() {
    }

    /** Train / validation / test split with the given validation and test fractions. */
    public static List<Dataset> stratified(Dataset data, double validation, double test, long seed) {
        if (validation < 0 || test < 0 || validation + test >= 1) {
            throw new IllegalArgumentException("validation and test fractions must be >= 0 and sum below 1, got "
                    + validation + " and " + test);
        }
        List<List<Example>> parts = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int label = 0; label < data.labelCount(); label++) {
            List<Example> group = new ArrayList<>();
            for (Example e : data.examples()) {
                if (e.label() == label) {
                    group.add(e);
                }
            }
            Collections.shuffle(group, new Random(seed * 31 + label));
            int nTest = (int) Math.round(group.size() * test);
            int nVal = (int) Math.round(group.size() * validation);
            parts.get(2).addAll(group.subList(0, nTest));
            parts.get(1).addAll(group.subList(nTest, nTest + nVal));
            parts.get(0).addAll(group.subList(nTest + nVal, group.size()));
        }
        List<Dataset> out = new ArrayList<>();
        String[] names = {"train", "validation", "test"};
        for (int i = 0; i < 3; i++) {
            List<Example> examples = parts.get(i);
            Collections.shuffle(examples, new Random(seed + i));
            out.add(new Dataset(data.source() + ":" + names[i], examples, data.labelNames()));
        }
        return out;
    }
}
