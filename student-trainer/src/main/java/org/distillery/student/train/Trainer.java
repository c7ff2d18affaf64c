package org.distillery.student.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.client.TeacherSource;
import org.distillery.student.loss.TeacherFacts;
import org.distillery.student.cache.TeacherCache;
import org.distillery.student.data.Dataset;
import org.distillery.student.eval.Validation;
import org.distillery.student.loss.Objective;
import org.distillery.student.metrics.TrainerMetrics;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.Students;
import org.distillery.student.model.TeacherInitializer;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.TeacherOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a student with DJL on an {@link Objective}, by distillation when a teacher is connected. The loop knows no
 * particular loss and no file: each step takes its batch (and the teacher's prefetched answer), runs one optimizer
 * step, updates the epoch's running figures and calls the listeners; at epoch ends it validates. Metrics,
 * checkpoints, progress, the time limit and the divergence guard are listeners. A CPU run is deterministic for a
 * seed: data order comes from the seed and the epoch, dropout from the seed and the step.
 */
public final class Trainer {
    private final StudentConfig config;
    private final OptimizerOptions optimizerOptions;
    private final ObjectiveOptions objectiveOptions;
    private final PaddedTokenizer tokenizer;
    private final TeacherConnection teacher;
    private final TeacherOptions teacherOptions;
    private final RunOptions runOptions;
    private final Path initFromTeacher;
    private final int initStride;
    private final boolean groupByLength;
    private final TeacherSource localTeacher;
    private final TeacherFacts localTeacherFacts;
    private final List<TrainingListener> extraListeners;
    private final TrainerMetrics metrics;

    private Trainer(Builder b) {
        this.config = b.config;
        this.optimizerOptions = b.optimizer;
        this.objectiveOptions = b.teacher == null && b.localTeacher == null ? b.objective.labelsOnly() : b.objective;
        this.tokenizer = b.tokenizer;
        this.teacher = b.teacher;
        this.teacherOptions = b.teacherOptions;
        this.runOptions = b.run;
        this.initFromTeacher = b.initFromTeacher;
        this.initStride = b.initStride;
        this.groupByLength = b.groupByLength;
        this.localTeacher = b.localTeacher;
        this.localTeacherFacts = b.localTeacherFacts;
        this.extraListeners = List.copyOf(b.listeners);
        this.metrics = b.metrics;
    }

    /**
     * A trainer of {@code config} with these optimizer and objective options; without {@link Builder#teacher} only
     * the objective's label terms are used.
     */
    public static Builder builder(StudentConfig config, OptimizerOptions optimizer, ObjectiveOptions objective,
                                  PaddedTokenizer tokenizer) {
        return new Builder(config, optimizer, objective, tokenizer);
    }

    /** Trains; the student's arrays live in {@code manager}. */
    public TrainResult train(Dataset train, Dataset validation, NDManager manager) throws IOException {
        Engine.getInstance().setRandomSeed((int) optimizerOptions.seed());
        Objective objective = Objective.from(objectiveOptions, teacher != null
                ? teacher.facts(objectiveOptions, teacherOptions, config.labels()) : localTeacherFacts);
        AbstractBlock student = Students.create(config, manager);
        if (initFromTeacher != null) {
            TeacherInitializer.apply(student, config, initFromTeacher, initStride);
        }
        objective.initialize(manager, config.hidden());
        Map<String, NDArray> parameters = trainable(student, objective);
        EpochBatches batches = new EpochBatches(train, tokenizer, optimizerOptions.batchSize(),
                optimizerOptions.seed(), groupByLength);
        int perEpoch = batches.perEpoch();
        int total = optimizerOptions.totalSteps(train.size());
        LinearSchedule schedule = new LinearSchedule(optimizerOptions.learningRate(),
                Math.round(optimizerOptions.warmupFraction() * total), total);
        AdamW optimizer = new AdamW(optimizerOptions.weightDecay());
        TrainingState state = new TrainingState(student, parameters, optimizer, perEpoch, total,
                new RunningFigures());
        RunDirectory run = runOptions.runDir() == null ? null : new RunDirectory(runOptions.runDir());
        if (run != null) {
            Map<String, Object> settings = settings();
            if (runOptions.resume()) {
                run.checkResumable(config, settings);
                Checkpoint.load(run.lastCheckpoint()).restoreInto(state, run, manager);
            } else {
                run.writeConfig(config);
                run.writeParameters(settings, train, validation);
            }
        }
        ParameterStore store = new ParameterStore(manager, false);
        StepRunner steps = new StepRunner(student, objective, parameters, optimizer, optimizerOptions.clipNorm(),
                config.labels(), store);
        List<Float> losses = new ArrayList<>();
        List<Float> kls = new ArrayList<>();
        List<Map<String, Double>> epochMetrics = new ArrayList<>();
        long started = System.nanoTime();
        long evalNanos = 0;
        TeacherClient client = teacher == null || !objective.needs().any() ? null
                : teacher.client(objective.needs());
        TeacherCache cache = null;
        TeacherSource source = client != null ? client
                : localTeacher != null && objective.needs().any() ? localTeacher : null;
        try {
            if (client != null && teacherOptions.cacheDir() != null) {
                cache = TeacherCache.open(teacherOptions.cacheDir());
                source = teacher.cached(client, cache);
            }
            try (TeacherPrefetcher prefetcher = source == null ? null : new TeacherPrefetcher(source,
                    teacherOptions.prefetch(), teacherOptions.nTeachersToSample(), optimizerOptions.seed(),
                    t -> t >= objectiveOptions.startDur() * total && t < objectiveOptions.endDur() * total,
                    batches::batch)) {
                List<TrainingListener> listeners = listeners(run, prefetcher);
                try {
                    listeners.forEach(l -> l.onTrainingBegin(state));
                    while (state.step() < total && state.stopReason() == null) {
                        int step = state.step();
                        Batch.WithTeacher next = prefetcher != null ? prefetcher.take(step, total - 1)
                                : new Batch.WithTeacher(batches.batch(step), null);
                        if (next.teacher() != null) {
                            state.figures().addTeacher(next.teacher().fromCache() < next.batch().size() ? 1 : 0,
                                    next.teacher().fromCache());
                        }
                        StepOutcome outcome = steps.run(next.batch(), next.teacher(), schedule.at(step),
                                optimizerOptions.seed() * 7919 + step, manager);
                        losses.add(outcome.loss());
                        kls.add(outcome.teacherKl());
                        state.step(step + 1);
                        state.figures().add(outcome);
                        listeners.forEach(l -> l.onStep(state, outcome));
                        if (state.atEpochEnd()) {
                            long evalStart = System.nanoTime();
                            Map<String, Double> metrics = Validation.evaluate(student, store, validation, tokenizer,
                                    config.labels(), manager);
                            evalNanos += System.nanoTime() - evalStart;
                            Map<String, Double> line = new LinkedHashMap<>();
                            line.put("epoch", (double) state.epoch());
                            line.put("step", (double) state.step());
                            line.putAll(state.figures().epoch());
                            line.putAll(metrics);
                            epochMetrics.add(line);
                            listeners.forEach(l -> l.onEpochEnd(state, line));
                            state.figures().startEpoch();
                        }
                        listeners.forEach(l -> l.afterStep(state));
                    }
                    listeners.forEach(l -> l.onTrainingEnd(state));
                } finally {
                    listeners.stream().filter(l -> l instanceof ProgressReporter)
                            .forEach(l -> ((ProgressReporter) l).close());
                }
                return new TrainResult(student, state.step(), losses, kls, epochMetrics,
                        prefetcher == null ? 0 : prefetcher.requests(),
                        prefetcher == null ? 0 : prefetcher.waitSeconds(), (System.nanoTime() - started) / 1e9, evalNanos / 1e9,
                        client == null ? Map.of() : client.answersByEndpoint(), client == null ? 0 : client.resends());
            }
        } finally {
            if (cache != null) {
                cache.close();
            }
            if (client != null) {
                client.close();
            }
        }
    }

    private List<TrainingListener> listeners(RunDirectory run, TeacherPrefetcher prefetcher) {
        List<TrainingListener> listeners = new ArrayList<>();
        // first, so that a step another listener fails on (the divergence guard) is still counted
        listeners.add(metrics.stepListener(() -> prefetcher == null ? 0 : prefetcher.waitSeconds()));
        listeners.addAll(Listeners.standard(run, runOptions, () -> prefetcher == null ? 0 : prefetcher.waitSeconds(),
                () -> prefetcher == null || teacherOptions.cacheDir() == null ? Double.NaN
                        : prefetcher.cacheHitRate(), extraListeners));
        return listeners;
    }

    /** What {@code parameters.json} records and a resumed run must keep. */
    private Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("optimizer", optimizerOptions);
        settings.put("objective", objectiveOptions);
        settings.put("teacher", teacher == null ? null : teacherOptions.answerDeciding());
        if (initFromTeacher != null) {
            settings.put("init_from_teacher", initFromTeacher.toString());
        }
        if (groupByLength) {
            settings.put("group_by_length", true); // decides the data order: a resumed run must keep it
        }
        return settings;
    }

    private static Map<String, NDArray> trainable(AbstractBlock student, Objective objective) {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : student.getParameters()) {
            parameters.put(p.getKey(), p.getValue().getArray());
        }
        parameters.putAll(objective.parameters());
        parameters.values().forEach(a -> a.setRequiresGradient(true));
        return parameters;
    }

    /** Builds a {@link Trainer}. */
    public static final class Builder {
        private final StudentConfig config;
        private final OptimizerOptions optimizer;
        private final ObjectiveOptions objective;
        private final PaddedTokenizer tokenizer;
        private TeacherConnection teacher;
        private TeacherOptions teacherOptions = TeacherOptions.DEFAULTS;
        private RunOptions run = RunOptions.DEFAULTS;
        private Path initFromTeacher;
        private int initStride = 2;
        private boolean groupByLength;
        private TeacherSource localTeacher;
        private TeacherFacts localTeacherFacts;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private TrainerMetrics metrics = TrainerMetrics.disabled();

        private Builder(StudentConfig config, OptimizerOptions optimizer, ObjectiveOptions objective,
                        PaddedTokenizer tokenizer) {
            this.config = config;
            this.optimizer = optimizer;
            this.objective = objective;
            this.tokenizer = tokenizer;
        }

        /** Distils from this teacher; its prefetch window and member sampling come from {@code options}. */
        public Builder teacher(TeacherConnection connection, TeacherOptions options) {
            this.teacher = connection;
            this.teacherOptions = options;
            return this;
        }

        /**
         * Distils from a teacher that is not a server (one in this process, for comparisons); its prefetch window
         * and member sampling come from {@code options}.
         */
        public Builder teacher(TeacherSource source, TeacherFacts facts, TeacherOptions options) {
            this.localTeacher = source;
            this.localTeacherFacts = facts;
            this.teacherOptions = options;
            return this;
        }

        /** Where the run's files go, checkpoints, resume, time limit and progress. */
        public Builder run(RunOptions options) {
            this.run = options;
            return this;
        }

        /** Initialises the student from a BERT-style teacher's ONNX file before training (DistilBERT recipe). */
        public Builder initFromTeacher(Path teacherOnnx) {
            this.initFromTeacher = teacherOnnx;
            return this;
        }

        /**
         * Starts from a pretrained encoder of the student's depth (every layer, e.g. a masked LM's encoder), whose
         * classifier, if any, is left aside when its shape differs.
         */
        public Builder initFromPretrained(Path onnx) {
            this.initFromTeacher = onnx;
            this.initStride = 1;
            return this;
        }

        /** Batches examples of similar length together ({@link EpochBatches}). */
        public Builder groupByLength(boolean value) {
            this.groupByLength = value;
            return this;
        }

        /** Records the steps in {@code metrics} (steps, skipped steps, examples/s, teacher wait, agreement, KL). */
        public Builder metrics(TrainerMetrics metrics) {
            this.metrics = metrics;
            return this;
        }

        /** Adds a listener, called after the built-in ones that report and before the checkpoint writer. */
        public Builder listener(TrainingListener listener) {
            listeners.add(listener);
            return this;
        }

        /** The trainer; its objective is checked when training starts, before anything is written. */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
