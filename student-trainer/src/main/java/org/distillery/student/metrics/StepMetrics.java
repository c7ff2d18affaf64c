package org.distillery.student.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.distillery.student.train.StepOutcome;
import org.distillery.student.train.TrainingListener;
import org.distillery.student.train.TrainingState;

import java.util.function.DoubleSupplier;

/**
 * The training loop's metrics. Steps are those this process ran (a resumed run counts from 0 again, as Prometheus
 * counters do after a restart); agreement and KL are those of the latest step that had a teacher answer (NaN before
 * the first).
 */
final class StepMetrics {
    static final String STEPS = "distillery_trainer_steps";
    static final String SKIPPED_STEPS = "distillery_trainer_skipped_steps";
    static final String EXAMPLES_PER_SECOND = "distillery_trainer_examples_per_second";
    static final String TEACHER_WAIT = "distillery_trainer_teacher_wait_seconds";
    static final String AGREEMENT = "distillery_trainer_teacher_agreement";
    static final String KL = "distillery_trainer_teacher_kl";
    /** Steps the examples-per-second figure spans. */
    static final int RATE_WINDOW = 20;

    private final Counter steps;
    private final Counter skipped;
    private final Gauge examplesPerSecond;
    private final Counter teacherWait;
    private final Gauge agreement;
    private final Gauge kl;

    StepMetrics(PrometheusRegistry registry) {
        steps = Counter.builder().name(STEPS + "_total").help("Optimizer steps run by this process, skipped included")
                .withoutExemplars().register(registry);
        skipped = Counter.builder().name(SKIPPED_STEPS + "_total")
                .help("Steps whose loss or gradients were not finite: weights and optimizer state left unchanged")
                .withoutExemplars().register(registry);
        examplesPerSecond = Gauge.builder().name(EXAMPLES_PER_SECOND)
                .help("Training examples per second over the last " + RATE_WINDOW + " steps (validation excluded)")
                .withoutExemplars().register(registry);
        teacherWait = Counter.builder().name(TEACHER_WAIT + "_total")
                .help("Seconds the training loop waited for teacher answers").withoutExemplars().register(registry);
        agreement = Gauge.builder().name(AGREEMENT)
                .help("Fraction of the latest distilled batch whose argmax the student shares with the teacher")
                .withoutExemplars().register(registry);
        kl = Gauge.builder().name(KL).help("KL(teacher || student) at temperature 1 on the latest distilled batch")
                .withoutExemplars().register(registry);
        agreement.set(Double.NaN);
        kl.set(Double.NaN);
    }

    /** A listener feeding these metrics; {@code teacherWaitSeconds} is read after every step. */
    TrainingListener listener(DoubleSupplier teacherWaitSeconds) {
        return new TrainingListener() {
            private final RecentRate rate = new RecentRate(RATE_WINDOW);
            private double waitSeen;

            @Override
            public void onTrainingBegin(TrainingState state) {
                rate.restart(System.nanoTime());
            }

            @Override
            public void onStep(TrainingState state, StepOutcome outcome) {
                steps.inc();
                if (outcome.skipped()) {
                    skipped.inc();
                }
                double perSecond = rate.add(System.nanoTime(), outcome.examples());
                if (Double.isFinite(perSecond)) {
                    examplesPerSecond.set(perSecond);
                }
                if (Float.isFinite(outcome.teacherAgreement())) {
                    agreement.set(outcome.teacherAgreement());
                }
                if (Float.isFinite(outcome.teacherKl())) {
                    kl.set(outcome.teacherKl());
                }
                recordWait();
            }

            @Override
            public void afterStep(TrainingState state) {
                if (state.atEpochEnd()) {
                    rate.restart(System.nanoTime()); // validation and checkpoints are not training time
                }
            }

            @Override
            public void onTrainingEnd(TrainingState state) {
                recordWait();
            }

            private void recordWait() {
                double now = teacherWaitSeconds.getAsDouble();
                if (now > waitSeen) {
                    teacherWait.inc(now - waitSeen);
                    waitSeen = now;
                }
            }
        };
    }
}
