package org.distillery.student.options;

/**
 * What the student learns from: the weights of the objective's terms (names as in AutoMM, Composer and the HF
 * distillation trainer) and when distillation is on. A term with weight 0 is left out. The α form
 * α·CE + (1−α)·KD is {@code hardLabelWeight = α, softLabelWeight = 1 − α}.
 *
 * @param hardLabelWeight         cross-entropy against the labels
 * @param softLabelWeight         the teacher's soft labels, by {@code softLabelLossType} at {@code temperature}
 * @param softLabelLossType       KL × T² or soft cross-entropy
 * @param temperature             softmax temperature of the soft-label and softmax-regression terms
 * @param logitsMseWeight         mean squared error between student and teacher logits
 * @param outputFeatureLossWeight student features against {@code teacherFeature} (a learned projection when
 *                                widths differ), by {@code outputFeatureLossType}
 * @param outputFeatureLossType   MSE or cosine
 * @param teacherFeature          the teacher output the feature terms use
 * @param rkdDistanceLossWeight   relational KD, pairwise distances
 * @param rkdAngleLossWeight      relational KD, angles of triples
 * @param softmaxRegressionWeight student features through the teacher's classifier head, matched to its soft labels
 * @param startDur                fraction of training where distillation starts
 * @param endDur                  fraction of training where distillation ends; outside no teacher request is sent
 */
public record ObjectiveOptions(float hardLabelWeight, float softLabelWeight, SoftLabelLoss softLabelLossType,
                               float temperature, float logitsMseWeight, float outputFeatureLossWeight,
                               FeatureLoss outputFeatureLossType, String teacherFeature, float rkdDistanceLossWeight,
                               float rkdAngleLossWeight, float softmaxRegressionWeight, float startDur,
                               float endDur) {
    /** Hard labels and KL at T = 2, equally weighted, for the whole run. */
    public static final ObjectiveOptions DEFAULTS = new ObjectiveOptions(1f, 1f, SoftLabelLoss.KL, 2f, 0f, 0f,
            FeatureLoss.MSE, "pooled_output", 0f, 0f, 0f, 0f, 1f);
    /** Hard labels only: training without a teacher. */
    public static final ObjectiveOptions LABELS_ONLY = DEFAULTS.labelsOnly();

    public ObjectiveOptions {
        Checks.nonNegative("hard_label_weight", hardLabelWeight);
        Checks.nonNegative("soft_label_weight", softLabelWeight);
        Checks.nonNegative("logits_mse_weight", logitsMseWeight);
        Checks.nonNegative("output_feature_loss_weight", outputFeatureLossWeight);
        Checks.nonNegative("rkd_distance_loss_weight", rkdDistanceLossWeight);
        Checks.nonNegative("rkd_angle_loss_weight", rkdAngleLossWeight);
        Checks.nonNegative("softmax_regression_weight", softmaxRegressionWeight);
        if (softLabelLossType == null) {
            throw new IllegalArgumentException("soft_label_loss_type must be kl or cross_entropy, got none");
        }
        if (outputFeatureLossType == null) {
            throw new IllegalArgumentException("output_feature_loss_type must be mse or cosine, got none");
        }
        if (!(temperature > 0) || Float.isInfinite(temperature)) {
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
        if (teacherFeature == null || teacherFeature.isBlank()) {
            throw new IllegalArgumentException("teacher_feature must name a teacher output, got none");
        }
    }

    /** The same options with every teacher term off. */
    public ObjectiveOptions labelsOnly() {
        return new ObjectiveOptions(hardLabelWeight, 0f, softLabelLossType, temperature, 0f, 0f,
                outputFeatureLossType, teacherFeature, 0f, 0f, 0f, startDur, endDur);
    }

    /** The same options with other hard- and soft-label weights. */
    public ObjectiveOptions withLabelWeights(float hard, float soft) {
        return new ObjectiveOptions(hard, soft, softLabelLossType, temperature, logitsMseWeight,
                outputFeatureLossWeight, outputFeatureLossType, teacherFeature, rkdDistanceLossWeight,
                rkdAngleLossWeight, softmaxRegressionWeight, startDur, endDur);
    }

    /** The same options with distillation on for the fractions [start, end) of training. */
    public ObjectiveOptions withWindow(float start, float end) {
        return new ObjectiveOptions(hardLabelWeight, softLabelWeight, softLabelLossType, temperature,
                logitsMseWeight, outputFeatureLossWeight, outputFeatureLossType, teacherFeature,
                rkdDistanceLossWeight, rkdAngleLossWeight, softmaxRegressionWeight, start, end);
    }

    /** The same options with another temperature. */
    public ObjectiveOptions withTemperature(float value) {
        return new ObjectiveOptions(hardLabelWeight, softLabelWeight, softLabelLossType, value, logitsMseWeight,
                outputFeatureLossWeight, outputFeatureLossType, teacherFeature, rkdDistanceLossWeight,
                rkdAngleLossWeight, softmaxRegressionWeight, startDur, endDur);
    }

    /** True when some term needs the teacher. */
    public boolean usesTeacher() {
        return softLabelWeight > 0 || logitsMseWeight > 0 || usesFeatures() || softmaxRegressionWeight > 0;
    }

    /** True when some term needs {@link #teacherFeature}. */
    public boolean usesFeatures() {
        return outputFeatureLossWeight > 0 || rkdDistanceLossWeight > 0 || rkdAngleLossWeight > 0;
    }
}
