package org.distillery.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.AbstractBlock;

import java.util.Map;

/**
 * The state of a run as listeners see it: where the loop is, the student and everything that trains, the optimizer,
 * and the epoch's running figures. A listener may ask the loop to stop after the current step.
 */
public final class TrainingState {
    private final AbstractBlock student;
    private final Map<String, NDArray> parameters;
    private final AdamW optimizer;
    private final int perEpoch;
    private final int total;
    private RunningFigures figures;
    private int step;
    private double bestMetric = Double.NEGATIVE_INFINITY;
    private String stopReason;

    TrainingState(AbstractBlock student, Map<String, NDArray> parameters, AdamW optimizer, int perEpoch, int total,
                  RunningFigures figures) {
        this.student = student;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.perEpoch = perEpoch;
        this.total = total;
        this.figures = figures;
    }

    /** Steps completed. */
    public int step() {
        return step;
    }

    void step(int value) {
        step = value;
    }

    /** All steps of the run. */
    public int total() {
        return total;
    }

    public int perEpoch() {
        return perEpoch;
    }

    /** The epoch the last completed step belongs to, from 1. */
    public int epoch() {
        return (int) Math.ceil(step / (double) perEpoch);
    }

    /** True when the last completed step ended an epoch (or the run). */
    public boolean atEpochEnd() {
        return step % perEpoch == 0 || step == total;
    }

    public AbstractBlock student() {
        return student;
    }

    /** Everything that trains (student and objective parameters), by name. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public RunningFigures figures() {
        return figures;
    }

    void figures(RunningFigures value) {
        figures = value;
    }

    /** The best validation accuracy so far. */
    public double bestMetric() {
        return bestMetric;
    }

    public void bestMetric(double value) {
        bestMetric = value;
    }

    /** Asks the loop to stop after this step, with a final checkpoint. */
    public void requestStop(String reason) {
        stopReason = reason;
    }

    /** Why the loop was asked to stop, or null. */
    public String stopReason() {
        return stopReason;
    }
}
