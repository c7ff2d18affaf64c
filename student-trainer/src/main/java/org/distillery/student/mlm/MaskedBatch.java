package org.distillery.student.mlm;

import org.distillery.common.text.TokenIds;

/**
 * One masked-LM batch: the inputs with chosen tokens replaced, and where and what to predict.
 *
 * @param step      the step it trains (or the evaluation batch's index)
 * @param inputs    padded token ids after masking, attention mask, token types (all 0)
 * @param positions chosen positions per example, {@code [batch, width]} row-major, −1 after an example's last
 * @param width     columns of {@code positions}
 * @param flat      the chosen positions as {@code b * length + s}, in example order: {@code [N]}
 * @param targets   the original token at each chosen position: {@code [N]}
 */
public record MaskedBatch(int step, TokenIds inputs, int[] positions, int width, long[] flat, long[] targets) {
    /** Examples in the batch. */
    public int size() {
        return inputs.batch();
    }

    /** Positions to predict. */
    public int predicted() {
        return targets.length;
    }
}
