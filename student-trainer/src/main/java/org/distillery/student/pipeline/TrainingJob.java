package org.distillery.student.pipeline;

import ai.djl.ndarray.NDManager;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.metrics.TrainerMetrics;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.options.DataOptions;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.options.StudentOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;

import java.io.PrintStream;

/**
 * One training run from options to a run directory: the data and tokenizer, the student sized for them, the teacher
 * connected and checked when one is given, and the trainer. What {@code train} and {@code train-teacher} run.
 *
 * @param data      where the examples and tokenizer come from
 * @param student   the student's architecture
 * @param objective the objective (only its label terms without a teacher)
 * @param teacher   the teacher link; its target null for training without a teacher
 * @param optimizer optimizer and schedule
 * @param run       run directory, checkpoints, resume, time limit, progress, metrics endpoint
 */
public record TrainingJob(DataOptions data, StudentOptions student, ObjectiveOptions objective,
                          TeacherOptions teacher, OptimizerOptions optimizer, RunOptions run) {
    /** True when the run distils from a teacher server. */
    public boolean distills() {
        return teacher.target() != null && objective.usesTeacher();
    }

    /**
     * Trains, printing one line before and one after to {@code out} (and one naming the metrics port when served).
     * The metrics endpoint lives as long as the run, and closes when it fails too.
     */
    public TrainResult run(PrintStream out) throws Exception {
        TrainingData loaded = TrainingData.load(data, optimizer.seed());
        try (TrainerMetrics metrics = run.metricsPort() == null ? TrainerMetrics.disabled()
                : TrainerMetrics.create().serve(run.metricsPort());
             PaddedTokenizer tokenizer = loaded.openTokenizer(student.maxLength());
             TeacherConnection connection = distills() ? TeacherConnection.open(teacher) : null;
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            StudentConfig config = student.config(tokenizer.vocabularySize(), loaded.train().labelCount());
            out.printf("training %s student (%d labels) on %d examples, validating on %d%s%n", config.kind(),
                    config.labels(), loaded.train().size(), loaded.validation().size(), connection != null
                            ? ", distilling from " + teacher.model() + " at " + teacher.target()
                            : " (no distillation)");
            if (metrics.enabled()) {
                out.printf("metrics on port %d at /metrics%n", metrics.port());
            }
            Trainer.Builder builder = Trainer.builder(config, optimizer, objective, tokenizer).run(run)
                    .initFromTeacher(student.initFromTeacher()).groupByLength(data.groupByLength()).metrics(metrics);
            if (connection != null) {
                builder.teacher(connection.linkListener(metrics.linkListener()), teacher);
            }
            TrainResult result = builder.build().train(loaded.train(), loaded.validation(), manager);
            out.printf("done: %d steps in %.1f s (teacher wait %.1f s); validation %s; run in %s%n", result.steps(),
                    result.seconds(), result.teacherWaitSeconds(), result.lastMetrics(), run.runDir());
            if (teacher.cacheDir() != null && connection != null) {
                double hits = result.epochMetrics().stream()
                        .mapToDouble(m -> m.getOrDefault("teacher_cache_hits", 0.0)).sum();
                double requests = result.epochMetrics().stream()
                        .mapToDouble(m -> m.getOrDefault("teacher_requests", 0.0)).sum();
                out.printf("teacher cache %s: %.0f examples read from it, %.0f requests to the teacher%n",
                        teacher.cacheDir(), hits, requests);
            }
            if (!result.teacherAnswers().isEmpty()) {
                out.printf("teacher answers by endpoint: %s; resent after a stream ended: %d%n",
                        result.teacherAnswers(), result.teacherResends());
            }
            return result;
        }
    }
}
