package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * How often the student picks the teacher's class: a diagnostic beside {@code teacher_kl}, outside the gradient.
 */
public final class Agreement {
    private Agreement() {
    }

    /**
     * The fraction of rows whose argmax over the last axis is the same in {@code student} and {@code teacher}
     * (logits {@code [batch, labels]}), as a scalar in [0, 1]. A tie goes to the first largest column, on both sides.
     */
    public static NDArray argmax(NDArray student, NDArray teacher) {
        if (!student.getShape().equals(teacher.getShape())) {
            throw new IllegalArgumentException("student logits " + student.getShape() + " and teacher logits "
                    + teacher.getShape() + " differ in shape");
        }
        return student.argMax(-1).eq(teacher.argMax(-1)).toType(DataType.FLOAT32, false).mean();
    }
}
