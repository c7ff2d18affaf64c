package org.distillery.student.demo;

/** The students the demo trains, each with every seed. */
public enum Variant {
    /** Labels only (in the transfer-set scenario: the labelled examples alone). */
    UNDISTILLED("student (no distillation)", "undistilled", -1),
    /** Labels and the ensemble's mean probabilities (every member runs on every batch). */
    MEAN_PROBS("distilled (mean probs)", "distilled-mean-probs", 0),
    /** Labels and one ensemble member drawn per batch (Composer's {@code n_teachers_to_sample = 1}). */
    SAMPLE_ONE("distilled (1 sampled teacher)", "distilled-sample-1", 1);

    private final String label;
    private final String id;
    private final int sampleMembers;

    Variant(String label, String id, int sampleMembers) {
        this.label = label;
        this.id = id;
        this.sampleMembers = sampleMembers;
    }

    /** The name in the report's table. */
    public String label() {
        return label;
    }

    /** The name of its run directories and files. */
    public String id() {
        return id;
    }

    /** Whether it learns from the teachers. */
    public boolean distilled() {
        return sampleMembers >= 0;
    }

    /** Ensemble members asked per batch (0: all); only for distilled variants. */
    public int sampleMembers() {
        return sampleMembers;
    }
}
