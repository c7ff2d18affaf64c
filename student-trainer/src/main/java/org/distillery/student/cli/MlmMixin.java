package org.distillery.student.cli;

import org.distillery.student.mlm.MlmObjectiveOptions;
import org.distillery.student.mlm.TeacherLogits;
import picocli.CommandLine.Option;

/** The masked-LM distillation options of {@code train --task mlm} (DistilBERT's flags). */
public final class MlmMixin {
    private static final MlmObjectiveOptions D = MlmObjectiveOptions.DISTILBERT;

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
    public MlmObjectiveOptions objective() {
        return new MlmObjectiveOptions(alphaCe, alphaMlm, alphaCos, alphaMse, alphaClm, temperature, hiddenOutput);
    }

    public TeacherLogits teacherLogits() {
        return TeacherLogits.parse(teacherLogits);
    }
}
