package org.distillery.student.options;

import com.google.gson.annotations.SerializedName;

import java.util.Arrays;
import java.util.Locale;

/** How the student's features are matched to a teacher feature output. */
public enum FeatureLoss {
    /** Mean squared error. */
    @SerializedName("mse") MSE,
    /** One minus the cosine similarity, per example. */
    @SerializedName("cosine") COSINE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException listing the choices */
    public static FeatureLoss parse(String text) {
        return Arrays.stream(values()).filter(v -> v.id().equals(text)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("output_feature_loss_type must be mse or cosine, got '" + text + "'"));
    }

    @Override
    public String toString() {
        return id();
    }
}
