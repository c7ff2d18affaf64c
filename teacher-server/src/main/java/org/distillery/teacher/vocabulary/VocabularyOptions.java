package org.distillery.teacher.vocabulary;

import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.VocabularySelection;

/**
 * A request's vocabulary selection, checked: the mode, k, the temperature (0 on the wire means 1) and the seed.
 *
 * @param mode        DENSE, TOP_K or SAMPLE
 * @param k           tokens kept (TOP_K) or drawn (SAMPLE); 0 for DENSE
 * @param temperature divides the logits before the softmax; finite and > 0
 * @param seed        seed of SAMPLE's draws (and of TOP_K's tail draws)
 * @param sampleTail  TOP_K only: draws from the distribution outside the k (0: none)
 */
public record VocabularyOptions(VocabularySelection.Mode mode, int k, double temperature, long seed,
                                int sampleTail) {
    /** Without tail draws. */
    public VocabularyOptions(VocabularySelection.Mode mode, int k, double temperature, long seed) {
        this(mode, k, temperature, seed, 0);
    }

    /** The largest k a request may ask for: beyond it an answer is no smaller than the dense one. */
    public static final int MAX_K = 65536;

    /**
     * Checks a request's selection.
     *
     * @throws ServingException INVALID_ARGUMENT naming the field, what was expected and what arrived
     */
    public static VocabularyOptions of(VocabularySelection selection) {
        VocabularySelection.Mode mode = selection.getMode();
        if (mode == VocabularySelection.Mode.UNRECOGNIZED) {
            throw ServingException.invalidArgument("vocabulary.mode: unknown mode " + selection.getModeValue()
                    + "; expected DENSE, TOP_K or SAMPLE");
        }
        int k = selection.getK();
        if (mode == VocabularySelection.Mode.DENSE) {
            if (k != 0) {
                // DENSE is the proto default: a k without a mode is almost surely a forgotten TOP_K or SAMPLE.
                throw ServingException.invalidArgument("vocabulary.k is " + k + " but vocabulary.mode is DENSE, "
                        + "which returns every token; set mode TOP_K or SAMPLE, or leave k 0");
            }
        } else if (k < 1 || k > MAX_K) {
            throw ServingException.invalidArgument("vocabulary.k for " + mode + " must be in [1, " + MAX_K
                    + "], got " + k);
        }
        float t = selection.getTemperature();
        if (Float.isNaN(t) || t < 0f || Float.isInfinite(t)) {
            throw ServingException.invalidArgument("vocabulary.temperature must be a finite number > 0 "
                    + "(0 = 1.0), got " + t);
        }
        int tail = selection.getSampleTail();
        if (tail != 0 && (mode != VocabularySelection.Mode.TOP_K || tail < 0 || tail > MAX_K)) {
            throw ServingException.invalidArgument("vocabulary.sample_tail must be in [1, " + MAX_K + "] with mode "
                    + "TOP_K (0 = none), got " + tail + " with mode " + mode);
        }
        return new VocabularyOptions(mode, k, t == 0f ? 1.0 : t, selection.getSeed(), tail);
    }
}
