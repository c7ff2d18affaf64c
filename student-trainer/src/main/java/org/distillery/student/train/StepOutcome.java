package org.distillery.student.train;

import java.util.Map;

/**
 * What one optimizer step did.
 *
 * @param step         the step
 * @param loss         the objective's total
 * @param terms        each term's unweighted value
 * @param teacherKl    KL(teacher ‖ student) at T = 1, NaN without a teacher answer
 * @param gradientNorm the global gradient norm before clipping
 * @param skipped      true when the loss or a gradient was not finite and nothing was updated
 */
public record StepOutcome(int step, float loss, Map<String, Float> terms, float teacherKl, double gradientNorm,
                          boolean skipped) {
}
