package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * The teacher's answer for one batch as arrays in the step's scope.
 *
 * @param logits   {@code [batch, labels]}
 * @param features named feature outputs, {@code [batch, width]}
 */
public record TeacherBatch(NDArray logits, Map<String, NDArray> features) {
    /**
     * A feature output.
     *
     * @throws IllegalStateException when the teacher was not asked for it
     */
    public NDArray feature(String name) {
        NDArray feature = features.get(name);
        if (feature == null) {
            throw new IllegalStateException("the teacher answer has no output '" + name + "'; it has "
                    + features.keySet());
        }
        return feature;
    }
}
