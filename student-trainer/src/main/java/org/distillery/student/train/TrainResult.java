package org.distillery.student.train;

import ai.djl.nn.AbstractBlock;

import java.util.List;
import java.util.Map;

/**
 * What a run did.
 *
 * @param student            the trained student (its arrays live in the manager given to the trainer)
 * @param steps              steps completed, counted from the start of the run (a resumed run included)
 * @param stepLosses         total loss of each step this call ran
 * @param stepKl             KL(teacher ‖ student) at T = 1 of each step this call ran, NaN without a teacher answer
 * @param epochMetrics       the lines of {@code metrics.jsonl} this call wrote
 * @param teacherRequests    batches sent to the teacher
 * @param teacherWaitSeconds time the loop spent waiting for teacher answers
 * @param seconds            wall time of the loop
 * @param evalSeconds        part of it spent evaluating
 * @param teacherAnswers     answers per teacher endpoint ({@code host:port} as reached), in name order
 * @param teacherResends     requests sent again because the stream they were on ended (a teacher died)
 */
public record TrainResult(AbstractBlock student, int steps, List<Float> stepLosses, List<Float> stepKl,
                          List<Map<String, Double>> epochMetrics, long teacherRequests, double teacherWaitSeconds,
                          double seconds, double evalSeconds, Map<String, Long> teacherAnswers,
                          long teacherResends) {
    /** Training steps per second, evaluation excluded. */
    public double stepsPerSecond() {
        return stepLosses.size() / Math.max(1e-9, seconds - evalSeconds);
    }

    /** The last epoch's metrics, or an empty map when no epoch ended. */
    public Map<String, Double> lastMetrics() {
        return epochMetrics.isEmpty() ? Map.of() : epochMetrics.get(epochMetrics.size() - 1);
    }
}
