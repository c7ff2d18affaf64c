package org.distillery.student.mlm;

/**
 * How tokens are chosen and replaced for masked-LM training (DistilBERT's defaults: 15 % of the tokens, chosen
 * with probability ∝ count^−0.7, then 80 % replaced by the mask token, 10 % by a random token, 10 % kept).
 *
 * @param maskProportion share of a batch's real tokens (special tokens excluded) to predict
 * @param smoothing      exponent: a token is chosen with probability ∝ count^−smoothing (0: uniformly)
 * @param wordMask       share of chosen tokens replaced by the mask token
 * @param wordKeep       share kept as they are
 * @param wordRandom     share replaced by a random token
 */
public record MaskingOptions(double maskProportion, double smoothing, double wordMask, double wordKeep,
                             double wordRandom) {
    /** DistilBERT's settings. */
    public static final MaskingOptions DISTILBERT = new MaskingOptions(0.15, 0.7, 0.8, 0.1, 0.1);
    /**
     * The held-out masks every model is scored on: BERT's uniform choice of 15 % of the tokens, 80/10/10, so that
     * accuracy and perplexity read as usual and do not depend on a run's smoothing.
     */
    public static final MaskingOptions EVALUATION = new MaskingOptions(0.15, 0, 0.8, 0.1, 0.1);

    public MaskingOptions {
        if (!(maskProportion > 0 && maskProportion < 1)) {
            throw new IllegalArgumentException("--mlm-mask-prop must be in (0, 1), got " + maskProportion);
        }
        if (!(smoothing >= 0 && smoothing <= 10)) {
            throw new IllegalArgumentException("--mlm-smoothing must be in [0, 10], got " + smoothing);
        }
        if (!(wordMask >= 0 && wordKeep >= 0 && wordRandom >= 0)
                || Math.abs(wordMask + wordKeep + wordRandom - 1) > 1e-6) {
            throw new IllegalArgumentException("--word-mask, --word-keep and --word-rand must be >= 0 and sum to "
                    + "1, got " + wordMask + " + " + wordKeep + " + " + wordRandom);
        }
    }
}
