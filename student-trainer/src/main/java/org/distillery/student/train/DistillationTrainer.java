package org.distillery.student.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.Pair;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.student.client.TeacherException;
import org.distillery.student.client.TeacherOutputs;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;
import org.distillery.student.eval.Metrics;
import org.distillery.student.loss.DistillationLosses;
import org.distillery.student.loss.TeacherHead;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.Students;
import org.distillery.student.model.TeacherInitializer;

import java.nio.file.Path;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Trains a student with DJL, by distillation when a teacher is given. Teacher requests for the next
 * {@code prefetch} batches are in flight while the student trains on the current one, so teacher compute hides
 * behind student steps; outside [start_dur, end_dur) no request is sent. A CPU run is deterministic for a seed:
 * data order comes from the seed and the epoch, dropout from the seed and the step.
 */
public final class DistillationTrainer {
    private static final Logger LOG = Logger.getLogger(DistillationTrainer.class.getName());
    /** Steps with a loss or gradient that is not finite are skipped; this many in a row stop the run. */
    static final int MAX_SKIPPED_IN_A_ROW = 5;
    private final StudentConfig config;
    private final TrainingOptions options;
    private final PaddedTokenizer tokenizer;
    private final TeacherLink teacher;
    private final RunDirectory run;
    private final boolean progress;
    private int checkpointEvery;
    private boolean resume;
    private int stopAfter = -1;
    private Path initFromTeacher;

    /**
     * @param teacher null for training without distillation
     * @param run     where config, parameters, metrics and weights go; null to write nothing
     */
    public DistillationTrainer(StudentConfig config, TrainingOptions options, PaddedTokenizer tokenizer,
                               TeacherLink teacher, RunDirectory run, boolean progress) {
        if (teacher == null && options.usesTeacher() && options.hardLabelWeight() == 0) {
            throw new IllegalArgumentException("no teacher and no hard-label loss: nothing to train on");
        }
        if (teacher != null && options.softmaxRegressionWeight() > 0 && teacher.head() == null) {
            throw new IllegalArgumentException("softmax_regression_weight needs the teacher's classifier head");
        }
        if (teacher != null && options.softmaxRegressionWeight() > 0 && options.outputFeatureLossWeight() > 0
                && teacher.head().width() != teacher.featureWidth()) {
            throw new IllegalArgumentException("the teacher feature is " + teacher.featureWidth() + " wide but its "
                    + "classifier head takes " + teacher.head().width() + "; one projection cannot serve both");
        }
        this.config = config;
        this.options = options;
        this.tokenizer = tokenizer;
        this.teacher = options.usesTeacher() ? teacher : null;
        this.run = run;
        this.progress = progress;
    }

    /**
     * Saves {@code checkpoints/last.ckpt} every {@code steps} steps (0: only at epoch ends and the end), and on
     * {@link #train} with {@code resume}, continues from it.
     */
    public DistillationTrainer checkpoints(int steps, boolean resumeFromLast) {
        if (steps < 0) {
            throw new IllegalArgumentException("checkpoint interval must be >= 0 steps, got " + steps);
        }
        if (resumeFromLast && run == null) {
            throw new IllegalArgumentException("resuming needs a run directory");
        }
        this.checkpointEvery = steps;
        this.resume = resumeFromLast;
        return this;
    }

    /** Initialises the student from a BERT-style teacher's ONNX file before training (DistilBERT recipe). */
    public DistillationTrainer initFromTeacher(Path teacherOnnx) {
        this.initFromTeacher = teacherOnnx;
        return this;
    }

    /** Stops after this many steps without any final save, as a killed process would (for tests). */
    DistillationTrainer stopAbruptlyAfter(int steps) {
        this.stopAfter = steps;
        return this;
    }

    /** A batch: its examples' token ids and labels. */
    private record Batch(TokenIds tokens, long[] labels) {
    }

    /** Trains and returns what happened; the student's weights stay in {@code manager} via the returned block. */
    public TrainResult train(Dataset train, Dataset validation, NDManager manager) throws IOException {
        Engine.getInstance().setRandomSeed((int) options.seed());
        AbstractBlock student = Students.create(config, manager);
        if (initFromTeacher != null) {
            TeacherInitializer.apply(student, config, initFromTeacher);
        }
        Linear projection = featureProjection(manager);
        Map<String, NDArray> parameters = trainable(student, projection);
        AdamW optimizer = new AdamW(options.weightDecay());
        int perEpoch = (train.size() + options.batchSize() - 1) / options.batchSize();
        int total = options.epochs() * perEpoch;
        if (options.maxSteps() > 0) {
            total = Math.min(total, options.maxSteps());
        }
        LinearSchedule schedule = new LinearSchedule(options.learningRate(),
                Math.round(options.warmupFraction() * total), total);
        if (run != null && resume) {
            run.checkResumable(config, options);
        } else if (run != null) {
            run.writeConfig(config);
            run.writeParameters(options, train, validation, initFromTeacher);
        }
        List<Float> losses = new ArrayList<>();
        List<Float> kls = new ArrayList<>();
        List<Map<String, Double>> epochMetrics = new ArrayList<>();
        Map<Integer, CompletableFuture<TeacherOutputs>> inFlight = new HashMap<>();
        Map<Integer, Batch> batches = new HashMap<>();
        long started = System.nanoTime();
        long waitNanos = 0;
        long evalNanos = 0;
        long requests = 0;
        double bestMetric = Double.NEGATIVE_INFINITY;
        ParameterStore ps = new ParameterStore(manager, false);
        int step = 0;
        if (resume) {
            Checkpoint checkpoint = Checkpoint.load(run.lastCheckpoint());
            checkpoint.restore(parameters, optimizer, manager);
            step = checkpoint.step();
            bestMetric = checkpoint.bestMetric();
            run.restoreMetrics(checkpoint.metricLines());
        }
        boolean abrupt = false;
        int skipped = 0;
        int skippedInARow = 0;
        try (ProgressBar bar = progress ? new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).build() : null) {
            if (bar != null) {
                bar.stepTo(step);
            }
            while (step < total) {
                if (options.timeLimitSeconds() > 0
                        && (System.nanoTime() - started) / 1e9 > options.timeLimitSeconds()) {
                    break;
                }
                if (step == stopAfter) {
                    abrupt = true;
                    break;
                }
                for (int t = step; t <= Math.min(total - 1, step + options.prefetch()); t++) {
                    if (distilling(t, total) && !inFlight.containsKey(t)) {
                        Batch b = batches.computeIfAbsent(t, k -> batch(train, k, perEpoch));
                        inFlight.put(t, teacher.client().request(b.tokens(), teacher.inputNames(),
                                options.nTeachersToSample(), options.seed() * 1_000_003L + t));
                        requests++;
                    }
                }
                Batch b = batches.containsKey(step) ? batches.remove(step) : batch(train, step, perEpoch);
                TeacherOutputs answer = null;
                if (inFlight.containsKey(step)) {
                    long w = System.nanoTime();
                    answer = await(inFlight.remove(step), step);
                    waitNanos += System.nanoTime() - w;
                }
                Engine.getInstance().setRandomSeed((int) (options.seed() * 7919 + step));
                float[] stepValues = step(student, projection, ps, parameters, optimizer, schedule.at(step), b,
                        answer, manager);
                losses.add(stepValues[0]);
                kls.add(stepValues[1]);
                if (!Float.isFinite(stepValues[0]) || !Float.isFinite(stepValues[2])) {
                    skipped++;
                    LOG.warning(String.format(Locale.ROOT, "step %d skipped: loss %s, gradient norm %s (not finite;"
                            + " in %s); weights and optimizer state left as they were", step, stepValues[0],
                            stepValues[2], Gradients.nonFinite(parameters)));
                    if (++skippedInARow >= MAX_SKIPPED_IN_A_ROW) {
                        throw new TrainingException(String.format(Locale.ROOT, "training diverged: loss or "
                                + "gradients were not finite for %d steps in a row (steps %d to %d, learning rate "
                                + "%.3g); lower --lr or set --clip-norm%s", skippedInARow, step - skippedInARow + 1,
                                step, schedule.at(step), run == null ? ""
                                        : "; the best weights so far are in " + run.root().resolve("checkpoints")),
                                null);
                    }
                } else {
                    skippedInARow = 0;
                }
                step++;
                if (bar != null) {
                    bar.step();
                    double rate = losses.size() / Math.max(1e-9, (System.nanoTime() - started - evalNanos) / 1e9);
                    bar.setExtraMessage(String.format(" %.2f steps/s, loss %.4f, teacher wait %.1fs", rate,
                            stepValues[0], waitNanos / 1e9));
                }
                boolean epochEnd = step % perEpoch == 0 || step == total;
                if (epochEnd) {
                    long evalStart = System.nanoTime();
                    Map<String, Double> metrics = evaluate(student, ps, validation, manager);
                    evalNanos += System.nanoTime() - evalStart;
                    metrics.put("epoch", Math.ceil(step / (double) perEpoch));
                    metrics.put("step", (double) step);
                    metrics.put("train_loss", mean(losses, Math.max(0, losses.size() - perEpoch)));
                    metrics.put("skipped_steps", (double) skipped);
                    epochMetrics.add(metrics);
                    if (run != null) {
                        run.appendMetrics(metrics);
                        if (metrics.get("accuracy") > bestMetric) {
                            bestMetric = metrics.get("accuracy");
                            run.saveWeights(student, "best");
                        }
                    }
                }
                if (run != null && (epochEnd || (checkpointEvery > 0 && step % checkpointEvery == 0))) {
                    Checkpoint.capture(step, bestMetric, run.metricLines(), parameters, optimizer)
                            .save(run.lastCheckpoint());
                }
            }
        } finally {
            inFlight.values().forEach(f -> f.cancel(false));
        }
        if (run != null && !abrupt) {
            Checkpoint.capture(step, bestMetric, run.metricLines(), parameters, optimizer).save(run.lastCheckpoint());
            run.saveWeights(student, "final");
        }
        this.lastStudent = student;
        return new TrainResult(step, losses, kls, epochMetrics, requests, waitNanos / 1e9,
                (System.nanoTime() - started) / 1e9, evalNanos / 1e9);
    }

    private AbstractBlock lastStudent;

    /** The student of the last {@link #train} call. */
    public AbstractBlock student() {
        return lastStudent;
    }

    private boolean distilling(int step, int total) {
        return teacher != null && step >= options.startDur() * total && step < options.endDur() * total;
    }

    private Batch batch(Dataset data, int step, int perEpoch) {
        int epoch = step / perEpoch;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(options.seed() * 31 + epoch));
        int from = (step % perEpoch) * options.batchSize();
        int to = Math.min(data.size(), from + options.batchSize());
        List<Example> examples = new ArrayList<>();
        long[] labels = new long[to - from];
        for (int i = from; i < to; i++) {
            Example e = data.examples().get(order.get(i));
            examples.add(e);
            labels[i - from] = e.label();
        }
        List<String> texts = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        examples.forEach(e -> {
            texts.add(e.text());
            pairs.add(e.pair());
        });
        return new Batch(tokenizer.encode(texts, pairs), labels);
    }

    private TeacherOutputs await(CompletableFuture<TeacherOutputs> future, int step) {
        long timeout = teacher.client().timeoutSeconds();
        try {
            return future.get(timeout, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String message = cause instanceof TeacherException ? cause.getMessage() : String.valueOf(cause);
            throw new TrainingException("step " + step + ": " + message, cause);
        } catch (TimeoutException e) {
            throw new TrainingException("step " + step + ": the teacher did not answer within " + timeout + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrainingException("interrupted while waiting for the teacher", e);
        }
    }

    /**
     * One optimizer step; returns {total loss, KL(teacher ‖ student) at T = 1 or NaN, gradient norm}. A step whose
     * loss or gradients are not finite changes nothing.
     */
    private float[] step(AbstractBlock student, Linear projection, ParameterStore ps, Map<String, NDArray> parameters,
                         AdamW optimizer, float learningRate, Batch b, TeacherOutputs answer, NDManager manager) {
        try (NDManager scope = manager.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            Gradients.zero(parameters.values());
            NDList inputs = inputs(scope, b.tokens());
            NDList out = student.forward(ps, inputs, true);
            NDArray logits = out.get(0);
            NDArray pooled = out.get(1);
            NDArray labels = scope.create(b.labels());
            NDArray loss = scope.zeros(new Shape());
            if (options.hardLabelWeight() > 0) {
                loss = loss.add(DistillationLosses.crossEntropy(logits, labels).mul(options.hardLabelWeight()));
            }
            float kl = Float.NaN;
            if (answer != null) {
                if (answer.labels() != config.labels()) {
                    throw new TrainingException("the teacher answered " + answer.labels() + " logits per example;"
                            + " the student has " + config.labels() + " labels", null);
                }
                NDArray teacherLogits = scope.create(answer.logits(), new Shape(b.labels().length, answer.labels()));
                if (options.softLabelWeight() > 0) {
                    NDArray soft = TrainingOptions.KL.equals(options.softLabelLossType())
                            ? DistillationLosses.klDivergence(logits, teacherLogits, options.temperature())
                            : DistillationLosses.softCrossEntropy(logits, teacherLogits, options.temperature());
                    loss = loss.add(soft.mul(options.softLabelWeight()));
                }
                if (options.logitsMseWeight() > 0) {
                    loss = loss.add(DistillationLosses.mse(logits, teacherLogits).mul(options.logitsMseWeight()));
                }
                if (options.softmaxRegressionWeight() > 0) {
                    TeacherHead head = teacher.head();
                    NDArray features = projection == null || head.width() == config.hidden() ? pooled
                            : projection.forward(ps, new NDList(pooled), true).head();
                    loss = loss.add(DistillationLosses.softmaxRegression(features,
                            scope.create(head.weight(), new Shape(head.labels(), head.width())),
                            scope.create(head.bias()), teacherLogits, options.temperature())
                            .mul(options.softmaxRegressionWeight()));
                }
                if (options.usesFeatures()) {
                    float[] values = answer.features().get(options.teacherFeature());
                    NDArray feature = scope.create(values, new Shape(b.labels().length,
                            values.length / b.labels().length));
                    loss = loss.add(featureLoss(pooled, feature, projection, ps));
                }
                kl = DistillationLosses.klDivergence(logits.stopGradient(), teacherLogits, 1f).getFloat();
            }
            collector.backward(loss);
            float lossValue = loss.getFloat();
            double norm = Gradients.norm(parameters.values());
            if (!Float.isFinite(lossValue) || !Double.isFinite(norm)) {
                // Neither weights nor optimizer moments are touched: one bad batch cannot poison the model.
                return new float[]{lossValue, kl, (float) norm};
            }
            clip(parameters, norm);
            optimizer.update(parameters, learningRate, manager);
            return new float[]{lossValue, kl, (float) norm};
        }
    }

    private NDArray featureLoss(NDArray pooled, NDArray teacherFeature, Linear projection, ParameterStore ps) {
        NDArray loss = pooled.getManager().zeros(new Shape());
        if (options.outputFeatureLossWeight() > 0) {
            NDArray projected = projection == null ? pooled
                    : projection.forward(ps, new NDList(pooled), true).head();
            NDArray term = "cosine".equals(options.outputFeatureLossType())
                    ? DistillationLosses.cosine(projected, teacherFeature)
                    : DistillationLosses.mse(projected, teacherFeature);
            loss = loss.add(term.mul(options.outputFeatureLossWeight()));
        }
        if (options.rkdDistanceLossWeight() > 0) {
            loss = loss.add(DistillationLosses.rkdDistance(pooled, teacherFeature)
                    .mul(options.rkdDistanceLossWeight()));
        }
        if (options.rkdAngleLossWeight() > 0) {
            loss = loss.add(DistillationLosses.rkdAngle(pooled, teacherFeature).mul(options.rkdAngleLossWeight()));
        }
        return loss;
    }

    /** Scales all gradients so their global L2 norm is at most the clip norm. */
    private void clip(Map<String, NDArray> parameters, double norm) {
        if (options.clipNorm() > 0 && norm > options.clipNorm()) {
            float scale = (float) (options.clipNorm() / (norm + 1e-6));
            Gradients.scale(parameters.values(), scale);
        }
    }

    private static NDList inputs(NDManager scope, TokenIds t) {
        Shape shape = new Shape(t.batch(), t.length());
        return new NDList(scope.create(t.inputIds(), shape), scope.create(t.attentionMask(), shape),
                scope.create(t.tokenTypeIds(), shape));
    }

    private Linear featureProjection(NDManager manager) {
        if (teacher == null) {
            return null;
        }
        int width = options.outputFeatureLossWeight() > 0 ? teacher.featureWidth()
                : options.softmaxRegressionWeight() > 0 ? teacher.head().width() : config.hidden();
        if (width == config.hidden()) {
            return null;
        }
        Linear projection = Linear.builder().setUnits(width).build();
        projection.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        projection.initialize(manager, DataType.FLOAT32, new Shape(1, config.hidden()));
        return projection;
    }

    private static Map<String, NDArray> trainable(AbstractBlock student, Linear projection) {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : student.getParameters()) {
            parameters.put(p.getKey(), p.getValue().getArray());
        }
        if (projection != null) {
            for (Pair<String, Parameter> p : projection.getParameters()) {
                parameters.put("projection_" + p.getKey(), p.getValue().getArray());
            }
        }
        parameters.values().forEach(a -> a.setRequiresGradient(true));
        return parameters;
    }

    /** Validation metrics (see {@link Metrics}) and loss. */
    public Map<String, Double> evaluate(AbstractBlock student, ParameterStore ps, Dataset data, NDManager manager) {
        int n = data.size();
        float[] probs = new float[n * config.labels()];
        int[] labels = new int[n];
        double lossSum = 0;
        for (int from = 0; from < n; from += 64) {
            int to = Math.min(n, from + 64);
            List<String> texts = new ArrayList<>();
            List<String> pairs = new ArrayList<>();
            long[] batchLabels = new long[to - from];
            for (int i = from; i < to; i++) {
                Example e = data.examples().get(i);
                texts.add(e.text());
                pairs.add(e.pair());
                labels[i] = e.label();
                batchLabels[i - from] = e.label();
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray logits = student.forward(ps, inputs(scope, tokenizer.encode(texts, pairs)), false).get(0);
                lossSum += DistillationLosses.crossEntropy(logits, scope.create(batchLabels)).getFloat()
                        * (to - from);
                float[] p = logits.softmax(-1).toFloatArray();
                System.arraycopy(p, 0, probs, from * config.labels(), p.length);
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>(Metrics.compute(probs, labels, config.labels()));
        metrics.put("val_loss", lossSum / Math.max(1, n));
        return metrics;
    }

    private static double mean(List<Float> values, int from) {
        double sum = 0;
        int count = 0;
        for (int i = from; i < values.size(); i++) {
            if (Float.isFinite(values.get(i))) {
                sum += values.get(i);
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
