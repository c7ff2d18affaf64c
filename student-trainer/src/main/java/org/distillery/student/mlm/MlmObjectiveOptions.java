package org.distillery.student.mlm;

import java.util.ArrayList;
import java.util.List;

/**
 * The masked-LM distillation objective, DistilBERT's flags: {@code --alpha-ce} (KL to the teacher's vocabulary
 * distribution at the masked positions, at {@code temperature}), {@code --alpha-mlm} (the student's own MLM loss),
 * {@code --alpha-cos} (cosine to the teacher's hidden states at the masked positions), {@code --alpha-mse}
 * (squared error of log-probabilities on the teacher's tokens). {@code --alpha-clm} exists in that recipe for
 * causal LMs (GPT-2); causal-LM distillation is out of scope here, so it must be 0.
 */
public record MlmObjectiveOptions(float alphaCe, float alphaMlm, float alphaCos, float alphaMse, float alphaClm,
                                  float temperature, String hiddenOutput) {
    /** DistilBERT's published weights (5, 2, 1, 0, 0) at temperature 2. */
    public static final MlmObjectiveOptions DISTILBERT = new MlmObjectiveOptions(5f, 2f, 1f, 0f, 0f, 2f,
            "last_hidden_state");

    public MlmObjectiveOptions {
        check("--alpha-ce", alphaCe);
        check("--alpha-mlm", alphaMlm);
        check("--alpha-cos", alphaCos);
        check("--alpha-mse", alphaMse);
        if (alphaClm != 0) {
            throw new IllegalArgumentException("--alpha-clm must be 0: causal-LM distillation (GPT-2 style) is out "
                    + "of scope; this trainer distils masked LMs (--task mlm), got " + alphaClm);
        }
        if (!(temperature > 0 && temperature <= 100)) {
            throw new IllegalArgumentException("--temperature must be in (0, 100], got " + temperature);
        }
        if (alphaCe + alphaMlm + alphaCos + alphaMse <= 0) {
            throw new IllegalArgumentException("the masked-LM objective has no terms: give --alpha-mlm, or a "
                    + "teacher and --alpha-ce / --alpha-cos / --alpha-mse > 0");
        }
    }

    private static void check(String flag, float value) {
        if (!(value >= 0 && Float.isFinite(value))) {
            throw new IllegalArgumentException(flag + " must be >= 0, got " + value);
        }
    }

    /** True when a term reads the teacher. */
    public boolean usesTeacher() {
        return alphaCe > 0 || alphaCos > 0 || alphaMse > 0;
    }

    /** The teacher-free part: the MLM loss alone. */
    public MlmObjectiveOptions mlmOnly() {
        return new MlmObjectiveOptions(0, alphaMlm > 0 ? alphaMlm : 1f, 0, 0, 0,
                temperature, hiddenOutput);
    }

    /** Names of the active terms, for messages. */
    public List<String> active() {
        List<String> names = new ArrayList<>();
        if (alphaCe > 0) {
            names.add("ce");
        }
        if (alphaMlm > 0) {
            names.add("mlm");
        }
        if (alphaCos > 0) {
            names.add("cos");
        }
        if (alphaMse > 0) {
            names.add("mse");
        }
        return names;
    }
}
