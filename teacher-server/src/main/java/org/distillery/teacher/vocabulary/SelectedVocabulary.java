package org.distillery.teacher.vocabulary;

/**
 * The part of a distribution that travels, row-major over {@code shape} (the logits' leading axes, then the
 * selection's width).
 *
 * @param values  log-probabilities
 * @param shape   shape of values, indices and weights
 * @param indices token ids; null for DENSE
 * @param weights importance weights (count / k, 0 for padding); null unless SAMPLE
 */
public record SelectedVocabulary(float[] values, long[] shape, int[] indices, float[] weights) {
}
