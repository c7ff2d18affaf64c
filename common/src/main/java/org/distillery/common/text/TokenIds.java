package org.distillery.common.text;

/**
 * Token ids of a batch of texts, padded to the batch's longest: row-major {@code [batch, length]} arrays of ids
 * (padded with the pad id), attention mask and token type ids (padded with 0).
 */
public record TokenIds(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, int batch, int length) {
}
