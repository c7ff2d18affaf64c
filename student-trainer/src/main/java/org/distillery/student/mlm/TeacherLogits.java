package org.distillery.student.mlm;

import org.distillery.proto.v1.VocabularySelection;
import org.distillery.student.loss.VocabularyTarget;

import java.util.Locale;

/**
 * What of the teacher's vocabulary distribution travels per masked position: {@code topk:K}, {@code sample:K} or
 * {@code dense} (the {@code --teacher-logits} option).
 *
 * @param support how the distribution is cut down
 * @param k       tokens per position (0 for dense)
 */
public record TeacherLogits(VocabularyTarget.Support support, int k) {
    /** The default: the 128 most probable tokens and the rest of the mass as one bucket. */
    public static final TeacherLogits DEFAULT = new TeacherLogits(VocabularyTarget.Support.TOP_K, 128);
    /** Largest K the server takes. */
    public static final int MAX_K = 65536;

    public TeacherLogits {
        if (support == VocabularyTarget.Support.DENSE ? k != 0 : k < 1 || k > MAX_K) {
            throw new IllegalArgumentException("--teacher-logits: K must be in [1, " + MAX_K + "], got " + k);
        }
    }

    /** @throws IllegalArgumentException saying what is expected and what arrived */
    public static TeacherLogits parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("dense")) {
            return new TeacherLogits(VocabularyTarget.Support.DENSE, 0);
        }
        int colon = t.indexOf(':');
        String mode = colon < 0 ? t : t.substring(0, colon);
        VocabularyTarget.Support support = switch (mode) {
            case "topk" -> VocabularyTarget.Support.TOP_K;
            case "sample" -> VocabularyTarget.Support.SAMPLE;
            default -> null;
        };
        if (support == null || colon < 0) {
            throw new IllegalArgumentException("--teacher-logits must be topk:K, sample:K or dense, got '" + text
                    + "'");
        }
        int k;
        try {
            k = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--teacher-logits " + mode + ":K needs a whole number K, got '"
                    + t.substring(colon + 1) + "'");
        }
        return new TeacherLogits(support, k);
    }

    /** The selection a request carries, at {@code temperature}, seeded with {@code seed} for sampling. */
    public VocabularySelection selection(float temperature, long seed) {
        VocabularySelection.Mode mode = switch (support) {
            case DENSE -> VocabularySelection.Mode.DENSE;
            case TOP_K -> VocabularySelection.Mode.TOP_K;
            case SAMPLE -> VocabularySelection.Mode.SAMPLE;
        };
        return VocabularySelection.newBuilder().setMode(mode).setK(k).setTemperature(temperature).setSeed(seed)
                .build();
    }

    @Override
    public String toString() {
        return support == VocabularyTarget.Support.DENSE ? "dense"
                : (support == VocabularyTarget.Support.TOP_K ? "topk:" : "sample:") + k;
    }
}
