package org.distillery.student.mlm;

import org.distillery.student.loss.VocabularyTarget;

/**
 * The teacher's answer for one masked-LM batch, decoded from the wire: its distribution at the N masked positions
 * and, when asked for, its last hidden state there.
 *
 * @param support       how the distribution was cut down
 * @param width         values per position: K, or the vocabulary when dense
 * @param logProbs      log-probabilities {@code [N, width]}
 * @param indices       token ids {@code [N, width]}; null when dense
 * @param weights       importance weights {@code [N, width]}; null unless sampled
 * @param hidden        last hidden state {@code [N, hiddenWidth]}, or null
 * @param hiddenWidth   its width (0 without)
 * @param requestBytes  the request's serialized size
 * @param responseBytes the answer's serialized size
 * @param logitsBytes   bytes of the distribution's tensors (values, ids, weights) in the answer
 */
public record MlmTeacherAnswer(VocabularyTarget.Support support, int width, float[] logProbs, int[] indices,
                               float[] weights, float[] hidden, int hiddenWidth, long requestBytes,
                               long responseBytes, long logitsBytes) {
    /** Masked positions answered. */
    public int rows() {
        return logProbs.length / width;
    }
}
