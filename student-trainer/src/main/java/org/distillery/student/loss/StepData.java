package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * What a loss term sees of one training step.
 *
 * @param logits   the student's logits {@code [batch, labels]}
 * @param pooled   the student's pooled features {@code [batch, hidden]}
 * @param labels   the batch's labels {@code [batch]} (int64)
 * @param teacher  the teacher's answer, or null outside distillation
 * @param store    the parameter store of this step (for a term's own learned blocks)
 * @param training true while training
 */
public record StepData(NDArray logits, NDArray pooled, NDArray labels, TeacherBatch teacher, ParameterStore store,
                       boolean training) {
}
