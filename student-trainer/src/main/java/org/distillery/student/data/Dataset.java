package org.distillery.student.data;

import java.util.List;

/**
 * Examples with their label names (label id i is {@code labelNames.get(i)}); examples may be unlabelled
 * ({@link Example#UNLABELLED}).
 *
 * @param source where the examples came from, for messages and provenance
 */
public record Dataset(String source, List<Example> examples, List<String> labelNames) {
    public Dataset {
        examples = List.copyOf(examples);
        labelNames = List.copyOf(labelNames);
    }

    public int size() {
        return examples.size();
    }

    public int labelCount() {
        return labelNames.size();
    }

    /** Count of examples per label id (unlabelled examples are not counted). */
    public int[] labelCounts() {
        int[] counts = new int[labelNames.size()];
        examples.stream().filter(Example::labelled).forEach(e -> counts[e.label()]++);
        return counts;
    }

    /** Examples that have a label. */
    public int labelledCount() {
        return (int) examples.stream().filter(Example::labelled).count();
    }
}
