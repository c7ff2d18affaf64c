package org.distillery.student.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.distillery.student.client.TeacherOutputs;
import org.distillery.student.loss.NativeArrays;
import org.distillery.student.loss.Objective;
import org.distillery.student.loss.StepData;
import org.distillery.student.loss.TeacherBatch;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One optimizer step: forward, the objective, backward, global-norm clipping and AdamW, every temporary in a scope
 * closed at the end. A step whose loss or gradients are not finite changes neither weights nor optimizer state.
 * Public for the step benchmark, which times exactly the step the trainer runs.
 */
public final class StepRunner {
    private final AbstractBlock student;
    private final Objective objective;
    private final Map<String, NDArray> parameters;
    private final AdamW optimizer;
    private final float clipNorm;
    private final int labels;
    private final ParameterStore store;

    public StepRunner(AbstractBlock student, Objective objective, Map<String, NDArray> parameters, AdamW optimizer,
                      float clipNorm, int labels, ParameterStore store) {
        this.student = student;
        this.objective = objective;
        this.parameters = parameters;
        this.optimizer = optimizer;
        this.clipNorm = clipNorm;
        this.labels = labels;
        this.store = store;
    }

    public StepOutcome run(Batch batch, TeacherOutputs answer, float learningRate, long dropoutSeed,
                           NDManager manager) {
        return run(batch.step(), batch.size(), scope -> {
            NDList out = student.forward(store, NativeArrays.inputs(scope, batch.tokens()), true);
            NDArray labelArray = NativeArrays.copy(scope, batch.labels(), new Shape(batch.size()));
            TeacherBatch teacher = answer == null ? null : teacherBatch(scope, answer, batch.size());
            return new StepData(out.get(0), out.get(1), labelArray, teacher, store, true);
        }, learningRate, dropoutSeed, manager);
    }

    /**
     * One step on what {@code forward} computes in the step's scope (the student's forward pass and the teacher's
     * arrays): the objective, backward, clipping and the update.
     *
     * @param examples examples in the step, for the outcome
     */
    public StepOutcome run(int step, int examples, Function<NDManager, StepData> forward, float learningRate,
                           long dropoutSeed, NDManager manager) {
        Engine.getInstance().setRandomSeed((int) dropoutSeed);
        try (NDManager scope = manager.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Gradients.zero(parameters.values());
            Objective.Value value = objective.compute(forward.apply(scope));
            collector.backward(value.total());
            float loss = value.total().getFloat();
            Map<String, Float> terms = new LinkedHashMap<>();
            value.terms().forEach((name, v) -> terms.put(name, v.getFloat()));
            float kl = value.teacherKl() == null ? Float.NaN : value.teacherKl().getFloat();
            float agreement = value.teacherAgreement() == null ? Float.NaN : value.teacherAgreement().getFloat();
            double norm = Gradients.norm(parameters.values());
            boolean skipped = !Float.isFinite(loss) || !Double.isFinite(norm);
            if (!skipped) {
                float scale = clipNorm > 0 && norm > clipNorm ? (float) (clipNorm / (norm + 1e-6)) : 1f;
                optimizer.update(parameters, learningRate, scale, manager); // clipping folded into the update
            }
            return new StepOutcome(step, examples, loss, terms, kl, agreement, norm, skipped);
        }
    }

    /** The student's parameters as the step sees them. */
    public ParameterStore store() {
        return store;
    }

    private TeacherBatch teacherBatch(NDManager scope, TeacherOutputs answer, int batchSize) {
        if (answer.labels() != labels) {
            throw new TrainingException("the teacher answered " + answer.labels() + " logits per example; the "
                    + "student has " + labels + " labels", null);
        }
        NDArray logits = NativeArrays.copy(scope, answer.logits(), new Shape(batchSize, answer.labels()));
        Map<String, NDArray> features = new LinkedHashMap<>();
        answer.features().forEach((name, values) -> features.put(name, NativeArrays.copy(scope, values,
                new Shape(batchSize, values.length / batchSize))));
        return new TeacherBatch(logits, features);
    }
}
