package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.distillery.student.model.Scalars;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.SoftLabelLoss;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training objective: a list of weighted terms. The loop knows no particular loss; it asks the objective for
 * the total and gets every term's value beside it, so the metrics show each. The teacher request is derived from
 * the terms' {@link TeacherNeeds}.
 */
public final class Objective {
    private final List<LossTerm> terms;

    /** @throws IllegalArgumentException when there is no term, or two share a name */
    public Objective(List<LossTerm> terms) {
        if (terms.isEmpty()) {
            throw new IllegalArgumentException("the objective has no terms: give a hard-label weight, or a teacher "
                    + "and a distillation weight");
        }
        if (terms.stream().map(LossTerm::name).distinct().count() != terms.size()) {
            throw new IllegalArgumentException("two objective terms share a name: "
                    + terms.stream().map(LossTerm::name).toList());
        }
        this.terms = List.copyOf(terms);
    }

    /**
     * The terms the options ask for.
     *
     * @param teacher what the teacher offers; null when training without one (then only label terms are built,
     *                and it is an error to ask for teacher terms)
     */
    public static Objective from(ObjectiveOptions options, TeacherFacts teacher) {
        if (teacher == null && options.usesTeacher()) {
            throw new IllegalArgumentException("the distillation terms need a teacher (--teacher); without one use "
                    + "only --hard-label-weight");
        }
        List<LossTerm> terms = new ArrayList<>();
        if (options.hardLabelWeight() > 0) {
            terms.add(new HardLabelCrossEntropy(options.hardLabelWeight()));
        }
        if (options.softLabelWeight() > 0) {
            terms.add(options.softLabelLossType() == SoftLabelLoss.KL
                    ? new SoftLabelKl(options.softLabelWeight(), options.temperature())
                    : new SoftLabelCrossEntropy(options.softLabelWeight(), options.temperature()));
        }
        if (options.logitsMseWeight() > 0) {
            terms.add(new LogitsMse(options.logitsMseWeight()));
        }
        if (options.outputFeatureLossWeight() > 0) {
            terms.add(new FeatureMatch(options.outputFeatureLossWeight(), options.outputFeatureLossType(),
                    options.teacherFeature(), teacher.featureWidth(options.teacherFeature())));
        }
        if (options.rkdDistanceLossWeight() > 0) {
            terms.add(new RkdDistance(options.rkdDistanceLossWeight(), options.teacherFeature()));
        }
        if (options.rkdAngleLossWeight() > 0) {
            terms.add(new RkdAngle(options.rkdAngleLossWeight(), options.teacherFeature()));
        }
        if (options.softmaxRegressionWeight() > 0) {
            terms.add(new SoftmaxRegression(options.softmaxRegressionWeight(), options.temperature(),
                    teacher.head()));
        }
        return new Objective(terms);
    }

    public List<LossTerm> terms() {
        return terms;
    }

    /** What the teacher must answer: the union of the terms' needs. */
    public TeacherNeeds needs() {
        TeacherNeeds needs = TeacherNeeds.NONE;
        for (LossTerm term : terms) {
            needs = needs.and(term.needs());
        }
        return needs;
    }

    /** Creates the terms' own parameters. */
    public void initialize(NDManager manager, int studentWidth) {
        terms.forEach(t -> t.initialize(manager, studentWidth));
    }

    /** Every term's learned parameters, named {@code TERM.PARAMETER}. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> all = new LinkedHashMap<>();
        for (LossTerm term : terms) {
            term.parameters().forEach((name, array) -> all.put(term.name() + "." + name, array));
        }
        return all;
    }

    /**
     * The weighted sum of the terms that can run on this step, and each term's unweighted value. Terms that read
     * the teacher are left out when the step has no teacher answer.
     */
    public Value compute(StepData step) {
        NDManager scope = step.logits().getManager();
        NDArray total = scope.zeros(new Shape());
        Map<String, NDArray> values = new LinkedHashMap<>();
        for (LossTerm term : terms) {
            if (term.needs().any() && step.teacher() == null) {
                continue;
            }
            NDArray value = term.compute(step);
            values.put(term.name(), value);
            total = total.add(Scalars.mul(value, term.weight()));
        }
        boolean teacherLogits = step.teacher() != null && step.teacher().logits() != null;
        NDArray teacherKl = !teacherLogits ? null
                : DistillationLosses.klDivergence(step.logits().stopGradient(), step.teacher().logits(), 1f);
        NDArray agreement = !teacherLogits ? null
                : Agreement.argmax(step.logits().stopGradient(), step.teacher().logits());
        return new Value(total, values, teacherKl, agreement);
    }

    /**
     * The objective's value on one step.
     *
     * @param total the weighted sum, to differentiate
     * @param terms each term's unweighted value, by name
     * @param teacherKl KL(teacher ‖ student) at T = 1, a diagnostic outside the gradient; null without teacher
     *                  logits
     * @param teacherAgreement the fraction of examples whose argmax the student and the teacher agree on, a
     *                         diagnostic outside the gradient; null without teacher logits
     */
    public record Value(NDArray total, Map<String, NDArray> terms, NDArray teacherKl, NDArray teacherAgreement) {
    }
}
