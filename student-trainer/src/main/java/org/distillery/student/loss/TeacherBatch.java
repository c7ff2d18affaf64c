package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * The teacher's answer for one batch as arrays in the step's scope.
 *
 * @param logits     {@code [batch, labels]}, or null when the teacher sent a vocabulary distribution instead
 * @param features   named feature outputs, {@code [rows, width]}
 * @param vocabulary the teacher's distribution over a vocabulary at masked positions (masked-LM distillation), or
 *                   null
 */
public record TeacherBatch(NDArray logits, Map<String, NDArray> features, VocabularyTarget vocabulary) {
    /** A classifier teacher's answer. */
    public TeacherBatch(NDArray logits, Map<String, NDArray> features) {
        this(logits, features, null);
    }

    /**
     * The vocabulary distribution.
     *
     * @throws IllegalStateException when the teacher sent none
     */
    public VocabularyTarget vocabularyTarget() {
        if (vocabulary == null) {
            throw new IllegalStateException("the teacher answer has no vocabulary distribution");
        }
        return vocabulary;
    }

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
