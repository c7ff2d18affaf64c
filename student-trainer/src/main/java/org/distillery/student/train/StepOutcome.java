package org.distillery.student.train;

import java.util.Map;

/**
 * What one optimizer step did.
 *
 * @param step             the step
 * @param examples         the examples in the step's batch
 * @param loss             the objective's total
 * @param terms            each term's unweighted value
 * @param teacherKl        KL(teacher ‖ student) at T = 1, NaN without a teacher answer
 * @param teacherAgreement the fraction of the batch whose argmax the student shares with the teacher (before the
 *                         step's update), NaN without a teacher answer
 * @param gradientNorm     the global gradient norm before clipping
 * @param skipped          true when the loss or a gradient was not finite and nothing was updated
 */
public record StepOutcome(int step, int examples, float loss, Map<String, Float> terms, float teacherKl,
                          float teacherAgreement, double gradientNorm, boolean skipped) {
}
