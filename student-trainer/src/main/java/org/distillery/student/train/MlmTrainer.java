package org.distillery.student.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.loss.HiddenCosine;
import org.distillery.student.loss.LossTerm;
import org.distillery.student.loss.MaskedLmCrossEntropy;
import org.distillery.student.loss.NativeArrays;
import org.distillery.student.loss.Objective;
import org.distillery.student.loss.StepData;
import org.distillery.student.loss.TeacherBatch;
import org.distillery.student.loss.VocabularyKl;
import org.distillery.student.loss.VocabularyMse;
import org.distillery.student.loss.VocabularyTarget;
import org.distillery.student.mlm.MaskedBatch;
import org.distillery.student.mlm.MaskingOptions;
import org.distillery.student.mlm.MlmBatches;
import org.distillery.student.mlm.MlmCorpus;
import org.distillery.student.mlm.MlmEvaluation;
import org.distillery.student.mlm.MlmMasker;
import org.distillery.student.mlm.MlmObjectiveOptions;
import org.distillery.student.mlm.MlmTeacherAnswer;
import org.distillery.student.mlm.MlmWire;
import org.distillery.student.mlm.SpecialTokens;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.model.Students;
import org.distillery.student.model.TeacherInitializer;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Trains a masked-LM student ({@link StudentKind#BERT_MLM}), DistilBERT's way when a teacher is connected: each
 * step masks a batch ({@link MlmMasker}), the teacher is asked for its distribution (and hidden state) at the masked
 * positions only, several steps ahead, and the objective weighs {@code ce}, {@code mlm}, {@code cos} and
 * {@code mse} terms. The run directory holds {@code config.json}, {@code parameters.json}, {@code metrics.jsonl}
 * (an epoch per line, with held-out masked-token accuracy and perplexity), {@code checkpoints/epoch-N.params} for
 * every epoch, {@code checkpoints/last.ckpt} (the latest, resumable) and {@code checkpoints/final.params}.
 */
public final class MlmTrainer {
    private final StudentConfig config;
    private final OptimizerOptions optimizer;
    private final MlmObjectiveOptions objective;
    private final MaskingOptions masking;
    private final SpecialTokens special;
    private final RunOptions runOptions;
    private final Path initFromTeacher;
    private final boolean groupByLength;
    private final TeacherClient teacher;
    private final MlmWire wire;
    private final int teacherHiddenWidth;
    private final int prefetch;
    private final Map<String, Object> teacherSettings;

    private MlmTrainer(Builder b) {
        this.config = b.config;
        this.optimizer = b.optimizer;
        this.objective = b.teacher == null ? b.objective.mlmOnly() : b.objective;
        this.masking = b.masking;
        this.special = b.special;
        this.runOptions = b.run;
        this.initFromTeacher = b.initFromTeacher;
        this.groupByLength = b.groupByLength;
        this.teacher = b.teacher;
        this.wire = b.wire;
        this.teacherHiddenWidth = b.teacherHiddenWidth;
        this.prefetch = b.prefetch;
        this.teacherSettings = b.teacherSettings;
        if (config.kind() != StudentKind.BERT_MLM) {
            throw new IllegalArgumentException("masked-LM training needs a bert-mlm student, got " + config.kind());
        }
        if (b.objective.usesTeacher() && b.teacher == null) {
            throw new IllegalArgumentException("--alpha-ce, --alpha-cos and --alpha-mse need a teacher (--teacher); "
                    + "without one use --alpha-mlm alone");
        }
    }

    /** A trainer of {@code config}; without {@link Builder#teacher} only the MLM term is used. */
    public static Builder builder(StudentConfig config, OptimizerOptions optimizer, MlmObjectiveOptions objective,
                                  MaskingOptions masking, SpecialTokens special) {
        return new Builder(config, optimizer, objective, masking, special);
    }

    /**
     * What one run measured.
     *
     * @param student       the trained student
     * @param steps         steps run
     * @param epochMetrics  each epoch's line of {@code metrics.jsonl}
     * @param requests      teacher requests sent
     * @param waitSeconds   time the loop waited for the teacher
     * @param requestBytes  bytes of the requests
     * @param responseBytes bytes of the answers
     * @param logitsBytes   bytes of the vocabulary distributions in the answers
     * @param positions     masked positions the teacher answered
     * @param seconds       wall time of the loop
     */
    public record Result(AbstractBlock student, int steps, List<Map<String, Double>> epochMetrics, long requests,
                         double waitSeconds, long requestBytes, long responseBytes, long logitsBytes,
                         long positions, double seconds) {
        /** The last epoch's metrics. */
        public Map<String, Double> lastMetrics() {
            return epochMetrics.isEmpty() ? Map.of() : epochMetrics.get(epochMetrics.size() - 1);
        }
    }

    /**
     * Trains on {@code train}, scoring {@code heldOut} (fixed masks) at every epoch end.
     *
     * @param heldOut the held-out batches, or an empty list
     */
    public Result train(MlmCorpus train, List<MaskedBatch> heldOut, NDManager manager) throws IOException {
        Engine.getInstance().setRandomSeed((int) optimizer.seed());
        Objective terms = objective();
        AbstractBlock student = Students.create(config, manager);
        if (initFromTeacher != null) {
            TeacherInitializer.apply(student, config, initFromTeacher);
        }
        terms.initialize(manager, config.hidden());
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : student.getParameters()) {
            parameters.put(p.getKey(), p.getValue().getArray());
        }
        parameters.putAll(terms.parameters());
        parameters.values().forEach(a -> a.setRequiresGradient(true));
        MlmBatches batches = new MlmBatches(train.sequences(), optimizer.batchSize(), optimizer.seed(),
                groupByLength);
        MlmMasker masker = new MlmMasker(masking, train.counts(), special);
        int perEpoch = batches.perEpoch();
        int total = optimizer.totalSteps(train.sequences().size());
        LinearSchedule schedule = new LinearSchedule(optimizer.learningRate(),
                Math.round(optimizer.warmupFraction() * total), total);
        AdamW adam = new AdamW(optimizer.weightDecay());
        TrainingState state = new TrainingState(student, parameters, adam, perEpoch, total, new RunningFigures());
        RunDirectory run = runOptions.runDir() == null ? null : new RunDirectory(runOptions.runDir());
        Map<String, Object> settings = settings(train);
        if (run != null) {
            if (runOptions.resume()) {
                run.checkResumable(config, settings);
                Checkpoint.load(run.lastCheckpoint()).restoreInto(state, run, manager);
            } else {
                run.writeConfig(config);
                settings.put("train_data", Map.of("sequences", train.sequences().size(), "tokens", train.tokens(),
                        "fingerprint", train.fingerprint()));
                settings.put("held_out", Map.of("batches", heldOut.size(), "positions",
                        heldOut.stream().mapToInt(MaskedBatch::predicted).sum()));
                org.distillery.common.io.AtomicFiles.writeString(run.root().resolve("parameters.json"),
                        org.distillery.common.io.Json.PRETTY.toJson(settings));
            }
        }
        ParameterStore store = new ParameterStore(manager, false);
        StepRunner steps = new StepRunner(student, terms, parameters, adam, optimizer.clipNorm(), config.vocabSize(),
                store);
        Prefetch ahead = new Prefetch(batches, masker);
        List<Map<String, Double>> epochMetrics = new ArrayList<>();
        long started = System.nanoTime();
        List<TrainingListener> listeners = listeners(run, ahead);
        try {
            listeners.forEach(l -> l.onTrainingBegin(state));
            while (state.step() < total && state.stopReason() == null) {
                int step = state.step();
                MaskedBatch batch = ahead.take(step, total - 1);
                MlmTeacherAnswer answer = ahead.answer(step);
                if (answer != null) {
                    state.figures().addTeacher(1, 0);
                }
                StepOutcome outcome = batch.predicted() == 0 ? null : steps.run(step, batch.size(),
                        scope -> stepData(scope, student, store, batch, answer), schedule.at(step),
                        optimizer.seed() * 7919 + step, manager);
                state.step(step + 1);
                if (outcome != null) {
                    state.figures().add(outcome);
                    listeners.forEach(l -> l.onStep(state, outcome));
                }
                if (state.atEpochEnd()) {
                    Map<String, Double> line = new LinkedHashMap<>();
                    line.put("epoch", (double) state.epoch());
                    line.put("step", (double) state.step());
                    line.putAll(state.figures().epoch());
                    if (!heldOut.isEmpty()) {
                        MlmEvaluation.Result r = MlmEvaluation.evaluate(student, heldOut, manager);
                        line.put("val_masked_accuracy", r.accuracy());
                        line.put("val_perplexity", r.perplexity());
                    }
                    line.put("teacher_wait_s", ahead.waitNanos / 1e9);
                    line.put("teacher_response_bytes", (double) ahead.responseBytes);
                    epochMetrics.add(line);
                    listeners.forEach(l -> l.onEpochEnd(state, line));
                    state.figures().startEpoch();
                }
                listeners.forEach(l -> l.afterStep(state));
            }
            listeners.forEach(l -> l.onTrainingEnd(state));
        } finally {
            listeners.stream().filter(l -> l instanceof ProgressReporter).forEach(l -> ((ProgressReporter) l).close());
            ahead.close();
        }
        return new Result(student, state.step(), epochMetrics, ahead.requests, ahead.waitNanos / 1e9,
                ahead.requestBytes, ahead.responseBytes, ahead.logitsBytes, ahead.positions,
                (System.nanoTime() - started) / 1e9);
    }

    private Objective objective() {
        List<LossTerm> list = new ArrayList<>();
        if (objective.alphaCe() > 0) {
            list.add(new VocabularyKl(objective.alphaCe()));
        }
        if (objective.alphaMlm() > 0) {
            list.add(new MaskedLmCrossEntropy(objective.alphaMlm()));
        }
        if (objective.alphaCos() > 0) {
            list.add(new HiddenCosine(objective.alphaCos(), objective.hiddenOutput(), teacherHiddenWidth));
        }
        if (objective.alphaMse() > 0) {
            list.add(new VocabularyMse(objective.alphaMse()));
        }
        return new Objective(list);
    }

    private StepData stepData(NDManager scope, AbstractBlock student, ParameterStore store, MaskedBatch batch,
                                     MlmTeacherAnswer answer) {
        NDList inputs = NativeArrays.inputs(scope, batch.inputs());
        inputs.add(NativeArrays.copy(scope, batch.flat(), new Shape(batch.flat().length)));
        NDList out = student.forward(store, inputs, true);
        NDArray targets = NativeArrays.copy(scope, batch.targets(), new Shape(batch.targets().length));
        return new StepData(out.get(0), out.get(1), targets, answer == null ? null : teacherBatch(scope, answer),
                store, true);
    }

    /** The answer as arrays in the step's scope. */
    public static TeacherBatch teacherBatch(NDManager scope, MlmTeacherAnswer answer, float temperature,
                                            String hiddenOutput) {
        int rows = answer.rows();
        Shape shape = new Shape(rows, answer.width());
        NDArray logProbs = NativeArrays.copy(scope, answer.logProbs(), shape);
        NDArray indices = null;
        if (answer.indices() != null) {
            indices = scope.create(answer.indices(), shape).toType(DataType.INT64, false);
        }
        NDArray weights = answer.weights() == null ? null : NativeArrays.copy(scope, answer.weights(), shape);
        Map<String, NDArray> features = new HashMap<>();
        if (answer.hidden() != null) {
            features.put(hiddenOutput, NativeArrays.copy(scope, answer.hidden(),
                    new Shape(rows, answer.hiddenWidth())));
        }
        return new TeacherBatch(null, features, new VocabularyTarget(answer.support(), logProbs, indices, weights,
                temperature));
    }

    private TeacherBatch teacherBatch(NDManager scope, MlmTeacherAnswer answer) {
        return teacherBatch(scope, answer, objective.temperature(), objective.hiddenOutput());
    }

    private List<TrainingListener> listeners(RunDirectory run, Prefetch ahead) {
        List<TrainingListener> own = run == null ? List.of() : List.of(new TrainingListener() {
            @Override
            public void onEpochEnd(TrainingState state, Map<String, Double> metrics) {
                try {
                    run.saveWeights(state.student(), "epoch-" + state.epoch());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
        return Listeners.standard(run, runOptions, () -> ahead.waitNanos / 1e9, () -> Double.NaN, own);
    }

    private Map<String, Object> settings(MlmCorpus train) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("task", "mlm");
        settings.put("optimizer", optimizer);
        settings.put("objective", objective);
        settings.put("masking", masking);
        settings.put("special_tokens", special);
        settings.put("teacher", teacher == null ? null : teacherSettings);
        if (initFromTeacher != null) {
            settings.put("init_from_teacher", initFromTeacher.toString());
        }
        settings.put("group_by_length", groupByLength);
        return settings;
    }

    /** Masks batches ahead and keeps the teacher's answers for the next {@code prefetch} steps in flight. */
    private final class Prefetch implements AutoCloseable {
        private final MlmBatches batches;
        private final MlmMasker masker;
        private final Map<Integer, MaskedBatch> made = new HashMap<>();
        private final Map<Integer, CompletableFuture<MlmTeacherAnswer>> inFlight = new HashMap<>();
        private final Map<Integer, MlmTeacherAnswer> answered = new HashMap<>();
        long requests;
        long waitNanos;
        long requestBytes;
        long responseBytes;
        long logitsBytes;
        long positions;

        Prefetch(MlmBatches batches, MlmMasker masker) {
            this.batches = batches;
            this.masker = masker;
        }

        MaskedBatch batch(int step) {
            return made.computeIfAbsent(step, s -> masker.mask(s, batches.batch(s), optimizer.seed()));
        }

        MaskedBatch take(int step, int last) {
            if (teacher != null) {
                for (int t = step; t <= Math.min(last, step + prefetch); t++) {
                    if (!inFlight.containsKey(t)) {
                        MaskedBatch b = batch(t);
                        if (b.predicted() == 0) {
                            continue;
                        }
                        var request = wire.request(b, optimizer.seed() * 1_000_003L + t);
                        long size = request.getSerializedSize();
                        int rows = b.predicted();
                        inFlight.put(t, teacher.send(request, r -> wire.decode(r, rows, size)));
                        requests++;
                    }
                }
                CompletableFuture<MlmTeacherAnswer> future = inFlight.remove(step);
                if (future != null) {
                    MlmTeacherAnswer a = await(future, step);
                    requestBytes += a.requestBytes();
                    responseBytes += a.responseBytes();
                    logitsBytes += a.logitsBytes();
                    positions += a.rows();
                    answered.put(step, a);
                }
            }
            return made.containsKey(step) ? made.remove(step) : batch(step);
        }

        MlmTeacherAnswer answer(int step) {
            return answered.remove(step);
        }

        private MlmTeacherAnswer await(CompletableFuture<MlmTeacherAnswer> future, int step) {
            long start = System.nanoTime();
            try {
                return future.get(teacher.timeoutSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new TrainingException("step " + step + ": " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new TrainingException("step " + step + ": the teacher did not answer within "
                        + teacher.timeoutSeconds() + " s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrainingException("interrupted while waiting for the teacher", e);
            } finally {
                waitNanos += System.nanoTime() - start;
            }
        }

        @Override
        public void close() {
            inFlight.values().forEach(f -> f.cancel(false));
            inFlight.clear();
        }
    }

    /** Builds an {@link MlmTrainer}. */
    public static final class Builder {
        private final StudentConfig config;
        private final OptimizerOptions optimizer;
        private final MlmObjectiveOptions objective;
        private final MaskingOptions masking;
        private final SpecialTokens special;
        private RunOptions run = RunOptions.DEFAULTS;
        private Path initFromTeacher;
        private boolean groupByLength;
        private TeacherClient teacher;
        private MlmWire wire;
        private int teacherHiddenWidth;
        private int prefetch = 4;
        private Map<String, Object> teacherSettings;

        private Builder(StudentConfig config, OptimizerOptions optimizer, MlmObjectiveOptions objective,
                        MaskingOptions masking, SpecialTokens special) {
            this.config = config;
            this.optimizer = optimizer;
            this.objective = objective;
            this.masking = masking;
            this.special = special;
        }

        /**
         * Distils from a teacher reached through {@code client}, asking what {@code wire} says.
         *
         * @param hiddenWidth the width of the teacher's hidden-state output (for the cosine term's projection)
         * @param prefetch    steps whose requests are kept in flight ahead of the current one
         * @param settings    what parameters.json records of the teacher
         */
        public Builder teacher(TeacherClient client, MlmWire wire, int hiddenWidth, int prefetch,
                               Map<String, Object> settings) {
            this.teacher = client;
            this.wire = wire;
            this.teacherHiddenWidth = hiddenWidth;
            this.prefetch = prefetch;
            this.teacherSettings = settings;
            return this;
        }

        public Builder run(RunOptions options) {
            this.run = options;
            return this;
        }

        /** Initialises the student from every other layer of a BERT-style teacher's ONNX file (DistilBERT). */
        public Builder initFromTeacher(Path teacherOnnx) {
            this.initFromTeacher = teacherOnnx;
            return this;
        }

        public Builder groupByLength(boolean value) {
            this.groupByLength = value;
            return this;
        }

        public MlmTrainer build() {
            return new MlmTrainer(this);
        }
    }
}
