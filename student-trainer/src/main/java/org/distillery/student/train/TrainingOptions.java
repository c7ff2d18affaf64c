package org.distillery.student.train;

/**
 * Every hyperparameter of a training run; stored as {@code parameters.json}. Loss names follow the seed recipes:
 * {@code hard_label_weight}, {@code soft_label_weight} with {@code soft_label_loss_type} (kl × T², cross_entropy)
 * and {@code temperature}, logits MSE, {@code output_feature_loss_weight} (mse | cosine, with a learned projection
 * when widths differ), RKD distance and angle, {@code softmax_regression_weight} (student features through the
 * teacher's classifier head, matched to its soft labels). The α form α·CE + (1−α)·KD is hard = α, soft = 1 − α.
 * Distillation is active only for steps in [start_dur, end_dur) as fractions of training.
 */
public record TrainingOptions(int epochs, int maxSteps, double timeLimitSeconds, int batchSize, float learningRate,
                              float weightDecay, float warmupFraction, float clipNorm, long seed,
                              float hardLabelWeight, float softLabelWeight, String softLabelLossType,
                              float temperature, float logitsMseWeight, float outputFeatureLossWeight,
                              String outputFeatureLossType, String teacherFeature, float rkdDistanceLossWeight,
                              float rkdAngleLossWeight, float softmaxRegressionWeight, float startDur,
                              float endDur, int nTeachersToSample, int prefetch) {
    public static final String KL = "kl";
    public static final String CROSS_ENTROPY = "cross_entropy";

    public TrainingOptions {
        positive("epochs", epochs);
        positive("batch size", batchSize);
        if (maxSteps < 0) {
            throw new IllegalArgumentException("max steps must be >= 0 (0 = no limit), got " + maxSteps);
        }
        if (!(timeLimitSeconds >= 0)) {
            throw new IllegalArgumentException("time limit must be >= 0 seconds (0 = none), got " + timeLimitSeconds);
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
        }
        nonNegative("weight decay", weightDecay);
        if (!(warmupFraction >= 0 && warmupFraction <= 1)) {
            throw new IllegalArgumentException("warmup fraction must be in [0, 1], got " + warmupFraction);
        }
        nonNegative("clip norm", clipNorm);
        nonNegative("hard_label_weight", hardLabelWeight);
        nonNegative("soft_label_weight", softLabelWeight);
        nonNegative("logits_mse_weight", logitsMseWeight);
        nonNegative("output_feature_loss_weight", outputFeatureLossWeight);
        nonNegative("rkd_distance_loss_weight", rkdDistanceLossWeight);
        nonNegative("rkd_angle_loss_weight", rkdAngleLossWeight);
        nonNegative("softmax_regression_weight", softmaxRegressionWeight);
        if (!KL.equals(softLabelLossType) && !CROSS_ENTROPY.equals(softLabelLossType)) {
            throw new IllegalArgumentException("soft_label_loss_type must be kl or cross_entropy, got '"
                    + softLabelLossType + "'");
        }
        if (!"mse".equals(outputFeatureLossType) && !"cosine".equals(outputFeatureLossType)) {
            throw new IllegalArgumentException("output_feature_loss_type must be mse or cosine, got '"
                    + outputFeatureLossType + "'");
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        if (!(startDur >= 0 && endDur <= 1)) {
            throw new IllegalArgumentException("start_dur and end_dur must lie in [0, 1], got " + startDur + " and "
                    + endDur);
        }
        if (startDur > endDur) {
            throw new IllegalArgumentException("start_dur (" + startDur + ") must not be after end_dur (" + endDur
                    + ")");
        }
        if (nTeachersToSample < 0) {
            throw new IllegalArgumentException("n_teachers_to_sample must be >= 0 (0 = all), got "
                    + nTeachersToSample);
        }
        if (prefetch < 0) {
            throw new IllegalArgumentException("prefetch must be >= 0, got " + prefetch);
        }
    }

    private static void positive(String what, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(what + " must be >= 1, got " + v);
        }
    }

    private static void nonNegative(String what, float v) {
        if (!(v >= 0)) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + v);
        }
    }

    /** True when any term needs the teacher. */
    public boolean usesTeacher() {
        return softLabelWeight > 0 || logitsMseWeight > 0 || outputFeatureLossWeight > 0 || rkdDistanceLossWeight > 0
                || rkdAngleLossWeight > 0 || softmaxRegressionWeight > 0;
    }

    /** True when a term needs teacher features. */
    public boolean usesFeatures() {
        return outputFeatureLossWeight > 0 || rkdDistanceLossWeight > 0 || rkdAngleLossWeight > 0;
    }

    /** Sensible defaults for a small run: 3 epochs, batch 32, lr 5e-4, KD at T = 2. */
    public static TrainingOptions defaults() {
        return new TrainingOptions(3, 0, 0, 32, 5e-4f, 0.01f, 0.1f, 1f, 42, 1f, 1f, KL, 2f, 0f, 0f, "mse",
                "pooled_output", 0f, 0f, 0f, 0f, 1f, 0, 4);
    }
}
