package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

/**
 * The teacher's distribution over the vocabulary at the masked positions of one batch, as it came over the wire:
 * log-probabilities at a temperature, whole or cut down (see {@link Support}).
 *
 * @param support     how the distribution was cut down
 * @param logProbs    the teacher's log-probabilities {@code [N, K]} ({@code [N, vocab]} when dense)
 * @param indices     int64 token ids {@code [N, K]}; null when dense
 * @param weights     importance weights {@code [N, K]} (0 on padding); null unless sampled
 * @param temperature the temperature the teacher's distribution was taken at
 */
public record VocabularyTarget(Support support, NDArray logProbs, NDArray indices, NDArray weights,
                               float temperature) {
    /** How the teacher's distribution was cut down for the wire. */
    public enum Support {
        /** Every token. */
        DENSE,
        /** The K most probable tokens; the rest of the mass is one bucket. */
        TOP_K,
        /** K draws from the distribution, each distinct token with weight count / K. */
        SAMPLE,
        /**
         * The K most probable tokens weighted by their probability, then draws from the rest, each distinct token
         * with weight rest × count / draws: exact on the head, unbiased on the tail.
         */
        TOP_K_SAMPLED_TAIL;

        /** True when the answer carries importance weights. */
        public boolean weighted() {
            return this == SAMPLE || this == TOP_K_SAMPLED_TAIL;
        }
    }

    public VocabularyTarget {
        if ((support == Support.DENSE) != (indices == null)) {
            throw new IllegalArgumentException("token ids come with a cut-down distribution only (" + support + ")");
        }
        if (support.weighted() != (weights != null)) {
            throw new IllegalArgumentException("importance weights come with a sampled distribution only ("
                    + support + ")");
        }
    }
}
