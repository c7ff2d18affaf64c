package org.distillery.student.loss;

import java.util.Map;

/**
 * What the objective needs to know of a teacher before training: the widths of its outputs and, for softmax
 * regression, its classifier head.
 *
 * @param outputWidths the last dimension of each teacher output, by name
 * @param head         the teacher's classifier head, or null when not read
 */
public record TeacherFacts(Map<String, Integer> outputWidths, TeacherHead head) {
    public TeacherFacts {
        outputWidths = Map.copyOf(outputWidths);
    }

    /** @throws IllegalArgumentException naming the outputs there are */
    public int featureWidth(String output) {
        Integer width = outputWidths.get(output);
        if (width == null) {
            throw new IllegalArgumentException("the teacher has no output '" + output + "' for the feature losses; "
                    + "its outputs are " + outputWidths.keySet());
        }
        return width;
    }

    @Override
    public TeacherHead head() {
        if (head == null) {
            throw new IllegalArgumentException("softmax_regression_weight needs the teacher's classifier head "
                    + "(--teacher-onnx)");
        }
        return head;
    }
}
