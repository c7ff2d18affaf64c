/**
 * What travels of a vocabulary distribution: log-probabilities at a temperature over the last axis of the logits
 * output, whole ({@code DENSE}), the k most probable ({@code TOP_K}), or k seeded draws with importance weights
 * ({@code SAMPLE}). Plain arithmetic on host tensors; this package depends on no serving code.
 */
package org.distillery.teacher.vocabulary;
