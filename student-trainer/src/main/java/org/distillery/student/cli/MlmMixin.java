package org.distillery.student.cli;

import org.distillery.student.mlm.MaskingOptions;
import org.distillery.student.mlm.MlmObjectiveOptions;
import org.distillery.student.mlm.TeacherLogits;
import picocli.CommandLine.Option;

/** The masked-LM options of {@code train --task mlm} (DistilBERT's flags). */
public final class MlmMixin {
    private static final MlmObjectiveOptions D = MlmObjectiveOptions.DISTILBERT;
    private static final MaskingOptions M = MaskingOptions.DISTILBERT;

    @Option(names = "--alpha-ce", description = "Masked LM: weight of KL to the teacher's distribution at the masked "
            + "positions (default: ${DEFAULT-VALUE}).")
    float alphaCe = D.alphaCe();
    @Option(names = "--alpha-mlm", description = "Masked LM: weight of the student's own MLM loss "
            + "(default: ${DEFAULT-VALUE}).")
    float alphaMlm = D.alphaMlm();
    @Option(names = "--alpha-cos", description = "Masked LM: weight of the cosine loss to the teacher's hidden states "
            + "at the masked positions; a learned projection when widths differ (default: ${DEFAULT-VALUE}).")
    float alphaCos = D.alphaCos();
    @Option(names = "--alpha-mse", description = "Masked LM: weight of the squared error of log-probabilities on the "
            + "teacher's tokens (default: ${DEFAULT-VALUE}).")
    float alphaMse = D.alphaMse();
    @Option(names = "--alpha-clm", description = "Causal-LM weight of the reference recipe; causal-LM distillation is "
            + "out of scope, so it must be 0 (default: ${DEFAULT-VALUE}).")
    float alphaClm = D.alphaClm();
    @Option(names = "--mlm-temperature", description = "Masked LM: temperature of both distributions in the KL "
            + "(default: ${DEFAULT-VALUE}).")
    float temperature = D.temperature();
    @Option(names = "--teacher-hidden-output", description = "Masked LM: the teacher's hidden-state output for "
            + "--alpha-cos (default: ${DEFAULT-VALUE}).")
    String hiddenOutput = D.hiddenOutput();
    @Option(names = "--teacher-logits", paramLabel = "topk:K|sample:K|topk:K+tail:S|dense", description = "Masked LM: "
            + "what of the teacher's vocabulary distribution travels per masked position: the K most probable tokens "
            + "(the rest as one bucket), K tokens drawn with unbiased weights, the K most probable plus S draws from "
            + "the rest (exact head, unbiased tail), or all (default: ${DEFAULT-VALUE}).")
    String teacherLogits = TeacherLogits.DEFAULT.toString();
    @Option(names = "--mlm-mask-prop", description = "Masked LM: share of tokens to predict (default: ${DEFAULT-VALUE}).")
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

    public MlmObjectiveOptions objective() {
        return new MlmObjectiveOptions(alphaCe, alphaMlm, alphaCos, alphaMse, alphaClm, temperature, hiddenOutput);
    }

    public MaskingOptions masking() {
        return new MaskingOptions(maskProportion, smoothing, wordMask, wordKeep, wordRandom);
    }

    public TeacherLogits teacherLogits() {
        return TeacherLogits.parse(teacherLogits);
    }
}
