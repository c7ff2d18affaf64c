package org.distillery.teacher.batching;

import java.util.Set;

/**
 * Which rows of a job's sequence outputs to keep: pairs of (example, position), in answer order. An output it
 * applies to, shaped {@code [batch, sequence, rest...]} in the run, reaches the job as {@code [rows, rest...]}.
 *
 * <p>The rows are picked straight out of the batch's output while it is split between jobs, so a job asking for a
 * few positions of a large output (masked-LM logits, {@code [batch, sequence, vocabulary]}) never holds a copy of its
 * whole share of that output.
 */
public final class RowSelector {
    private final int[] examples;
    private final int[] positions;
    private final Set<String> outputs;

    /**
     * @param examples  per kept row, the example (row of the job's batch axis)
     * @param positions per kept row, the index along the sequence axis (axis 1)
     * @param outputs   the outputs to gather; others are split as usual
     */
    public RowSelector(int[] examples, int[] positions, Set<String> outputs) {
        if (examples.length != positions.length) {
            throw new IllegalArgumentException("examples and positions differ in length: " + examples.length
                    + " and " + positions.length);
        }
        this.examples = examples.clone();
        this.positions = positions.clone();
        this.outputs = Set.copyOf(outputs);
    }

    /** Rows kept. */
    public int rows() {
        return examples.length;
    }

    /** The example of kept row {@code r}. */
    public int example(int r) {
        return examples[r];
    }

    /** The sequence position of kept row {@code r}. */
    public int position(int r) {
        return positions[r];
    }

    /** True when output {@code name} is gathered. */
    public boolean applies(String name) {
        return outputs.contains(name);
    }

    public Set<String> outputs() {
        return outputs;
    }
}
