package org.distillery.student.cli;

import org.distillery.student.options.FeatureLoss;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.SoftLabelLoss;
import picocli.CommandLine.Option;

/** The objective's terms and the distillation window; defaults from {@link ObjectiveOptions#DEFAULTS}. */
public final class ObjectiveMixin {
    private static final ObjectiveOptions D = ObjectiveOptions.DEFAULTS;

    @Option(names = "--hard-label-weight", description = "Cross-entropy against the labels (default: ${DEFAULT-VALUE}).")
    float hardLabelWeight = D.hardLabelWeight();
    @Option(names = "--soft-label-weight", description = "The teacher's soft labels (default: ${DEFAULT-VALUE}).")
    float softLabelWeight = D.softLabelWeight();
    @Option(names = "--soft-label-loss-type", description = "kl (KL x T^2) or cross_entropy "
            + "(default: ${DEFAULT-VALUE}).")
    SoftLabelLoss softLabelLossType = D.softLabelLossType();
    @Option(names = "--temperature", description = "Softmax temperature of the soft labels (default: ${DEFAULT-VALUE}).")
    float temperature = D.temperature();
    @Option(names = "--logits-mse-weight", description = "MSE between student and teacher logits "
            + "(default: ${DEFAULT-VALUE}).")
    float logitsMseWeight = D.logitsMseWeight();
    @Option(names = "--output-feature-loss-weight", description = "Student features against --teacher-feature, "
            + "through a learned projection when widths differ (default: ${DEFAULT-VALUE}).")
    float featureWeight = D.outputFeatureLossWeight();
    @Option(names = "--output-feature-loss-type", description = "mse or cosine (default: ${DEFAULT-VALUE}).")
    FeatureLoss featureType = D.outputFeatureLossType();
    @Option(names = "--teacher-feature", description = "Teacher output for the feature losses "
            + "(default: ${DEFAULT-VALUE}).")
    String teacherFeature = D.teacherFeature();
    @Option(names = "--rkd-distance-loss-weight", description = "Relational KD on pairwise distances "
            + "(default: ${DEFAULT-VALUE}).")
    float rkdDistance = D.rkdDistanceLossWeight();
    @Option(names = "--rkd-angle-loss-weight", description = "Relational KD on angles of triples "
            + "(default: ${DEFAULT-VALUE}).")
    float rkdAngle = D.rkdAngleLossWeight();
    @Option(names = "--softmax-regression-weight", description = "Student features through the teacher's "
            + "classifier head (needs --teacher-onnx) (default: ${DEFAULT-VALUE}).")
    float softmaxRegression = D.softmaxRegressionWeight();
    @Option(names = "--start-dur", description = "Fraction of training where distillation starts "
            + "(default: ${DEFAULT-VALUE}).")
    float startDur = D.startDur();
    @Option(names = "--end-dur", description = "Fraction of training where distillation ends; outside the window no "
            + "teacher request is sent (default: ${DEFAULT-VALUE}).")
    float endDur = D.endDur();

    /** The validated options. */
    public ObjectiveOptions options() {
        return new ObjectiveOptions(hardLabelWeight, softLabelWeight, softLabelLossType, temperature,
                logitsMseWeight, featureWeight, featureType, teacherFeature, rkdDistance, rkdAngle,
                softmaxRegression, startDur, endDur);
    }
}
