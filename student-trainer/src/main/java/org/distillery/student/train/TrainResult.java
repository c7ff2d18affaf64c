package org.distillery.student.train;

import java.util.List;
import java.util.Map;

/**
 * What a run did.
 *
 * @param stepLosses        total loss per step
 * @param stepKl            KL(teacher ‖ student) at T = 1 per step where the teacher answered, else NaN
 * @param epochMetrics      validation metrics per epoch
 * @param teacherRequests   batches sent to the teacher
 * @param teacherWaitSeconds time the loop spent waiting for teacher answers
 * @param seconds           wall time of the loop
 * @param evalSeconds       part of it spent evaluating
 */
public record TrainResult(int steps, List<Float> stepLosses, List<Float> stepKl,
                          List<Map<String, Double>> epochMetrics, long teacherRequests, double teacherWaitSeconds,
                          double seconds, double evalSeconds) {
    /** Training steps per second, evaluation excluded. */
    public double stepsPerSecond() {
        return stepLosses.size() / Math.max(1e-9, seconds - evalSeconds);
    }
}
