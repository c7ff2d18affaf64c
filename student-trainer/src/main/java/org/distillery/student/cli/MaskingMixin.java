package org.distillery.student.cli;

import org.distillery.student.mlm.MaskingOptions;
import picocli.CommandLine.Option;

/**
 * How masked-LM batches are masked and what is held out, for {@code --task mlm} of {@code train} and
 * {@code train-teacher}.
 */
public final class MaskingMixin {
    private static final MaskingOptions M = MaskingOptions.DISTILBERT;

    @Option(names = "--mlm-mask-prop", description = "Masked LM: share of tokens to predict "
            + "(default: ${DEFAULT-VALUE}).")
    double maskProportion = M.maskProportion();
    @Option(names = "--mlm-smoothing", description = "Masked LM: tokens chosen with probability ∝ count^-s "
            + "(default: ${DEFAULT-VALUE}).")
    double smoothing = M.smoothing();
    @Option(names = "--word-mask", description = "Masked LM: share of chosen tokens replaced by the mask token "
            + "(default: ${DEFAULT-VALUE}).")
    double wordMask = M.wordMask();
    @Option(names = "--word-keep", description = "Masked LM: share kept (default: ${DEFAULT-VALUE}).")
    double wordKeep = M.wordKeep();
    @Option(names = "--word-rand", description = "Masked LM: share replaced by a random token "
            + "(default: ${DEFAULT-VALUE}).")
    double wordRandom = M.wordRandom();
    @Option(names = "--held-out-fraction", description = "Masked LM: documents held out for masked-token accuracy "
            + "and perplexity when no --validation file is given (default: ${DEFAULT-VALUE}).")
    double heldOutFraction = 0.05;
    @Option(names = "--held-out-max", description = "Masked LM: held-out sequences scored at most "
            + "(default: ${DEFAULT-VALUE}).")
    int heldOutMax = 512;

    public MaskingOptions masking() {
        return new MaskingOptions(maskProportion, smoothing, wordMask, wordKeep, wordRandom);
    }
}
