package org.distillery.student.options;

import com.google.gson.annotations.SerializedName;

import java.util.Arrays;
import java.util.Locale;

/** How the student matches the teacher's soft labels. */
public enum SoftLabelLoss {
    /** {@code KL(teacher ‖ student) · T²} (Hinton et al.). */
    @SerializedName("kl") KL,
    /** Cross-entropy against the teacher's softened probabilities. */
    @SerializedName("cross_entropy") CROSS_ENTROPY;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException listing the choices */
    public static SoftLabelLoss parse(String text) {
        return Arrays.stream(values()).filter(v -> v.id().equals(text)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("soft_label_loss_type must be kl or cross_entropy, got '" + text + "'"));
    }

    @Override
    public String toString() {
        return id();
    }
}
