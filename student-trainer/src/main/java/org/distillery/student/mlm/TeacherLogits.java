package org.distillery.student.mlm;

import org.distillery.proto.v1.VocabularySelection;
import org.distillery.student.loss.VocabularyTarget;

import java.util.Locale;

/**
 * What of the teacher's vocabulary distribution travels per masked position: {@code topk:K}, {@code sample:K},
 * {@code topk:K+tail:S} (the K most probable and S draws from the rest) or {@code dense} (the
 * {@code --teacher-logits} option).
 *
 * @param support how the distribution is cut down
 * @param k       tokens per position (0 for dense)
 * @param tail    draws from outside the top K ({@code topk:K+tail:S} only)
 */
public record TeacherLogits(VocabularyTarget.Support support, int k, int tail) {
    /** Without a sampled tail. */
    public TeacherLogits(VocabularyTarget.Support support, int k) {
        this(support, k, 0);
    }

    /** The default: the 128 most probable tokens and the rest of the mass as one bucket. */
    public static final TeacherLogits DEFAULT = new TeacherLogits(VocabularyTarget.Support.TOP_K, 128);
    /** Largest K the server takes. */
    public static final int MAX_K = 65536;

    public TeacherLogits {
        if (support == VocabularyTarget.Support.DENSE ? k != 0 : k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("--teacher-logits: K must be in [1, " + MAX_K + "], got " + k);
        }
        if ((support == VocabularyTarget.Support.TOP_K_SAMPLED_TAIL) != (tail > 0) || tail > MAX_K) {
            throw new IllegalArgumentException("--teacher-logits: the tail's draws S must be in [1, " + MAX_K
                    + "] with topk:K+tail:S, got " + tail);
        }
    }

    /** @throws IllegalArgumentException saying what is expected and what arrived */
    public static TeacherLogits parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("dense")) {
            return new TeacherLogits(VocabularyTarget.Support.DENSE, 0);
        }
        int plus = t.indexOf("+tail:");
        if (t.startsWith("topk:") && plus > 0) {
            int k = number(t.substring(5, plus), "topk");
            int tail = number(t.substring(plus + 6), "tail");
            return new TeacherLogits(VocabularyTarget.Support.TOP_K_SAMPLED_TAIL, k, tail);
        }
        int colon = t.indexOf(':');
        String mode = colon < 0 ? t : t.substring(0, colon);
        VocabularyTarget.Support support = switch (mode) {
            case "topk" -> VocabularyTarget.Support.TOP_K;
            case "sample" -> VocabularyTarget.Support.SAMPLE;
            default -> null;
        };
        if (support == null || colon < 0) {
            throw new IllegalArgumentException("--teacher-logits must be topk:K, sample:K, topk:K+tail:S or dense, "
                    + "got '" + text + "'");
        }
        return new TeacherLogits(support, number(t.substring(colon + 1), mode));
    }

    private static int number(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--teacher-logits " + what + ":K needs a whole number K, got '" + text
                    + "'");
        }
    }

    /** The selection a request carries, at {@code temperature}, seeded with {@code seed} for sampling. */
    public VocabularySelection selection(float temperature, long seed) {
        VocabularySelection.Mode mode = switch (support) {
            case DENSE -> VocabularySelection.Mode.DENSE;
            case TOP_K, TOP_K_SAMPLED_TAIL -> VocabularySelection.Mode.TOP_K;
            case SAMPLE -> VocabularySelection.Mode.SAMPLE;
        };
        return VocabularySelection.newBuilder().setMode(mode).setK(k).setSampleTail(tail).setTemperature(temperature)
                .setSeed(seed).build();
    }

    @Override
    public String toString() {
        return switch (support) {
            case DENSE -> "dense";
            case TOP_K -> "topk:" + k;
            case SAMPLE -> "sample:" + k;
            case TOP_K_SAMPLED_TAIL -> "topk:" + k + "+tail:" + tail;
        };
    }
}
