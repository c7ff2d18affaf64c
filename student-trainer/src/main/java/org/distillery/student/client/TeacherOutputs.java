package org.distillery.student.client;

import java.util.List;
import java.util.Map;

/**
 * What the teacher answered for one batch.
 *
 * @param logits    row-major {@code [batch, labels]}
 * @param features  named feature outputs, row-major {@code [batch, width]}
 * @param widths    width of each feature
 * @param members   ensemble members that ran
 * @param fromCache rows of the batch read from the teacher-output cache rather than asked of a teacher
 */
public record TeacherOutputs(float[] logits, int labels, Map<String, float[]> features, Map<String, Integer> widths,
                             List<String> members, int fromCache) {
    /** An answer that came from a teacher. */
    public TeacherOutputs(float[] logits, int labels, Map<String, float[]> features, Map<String, Integer> widths,
                          List<String> members) {
        this(logits, labels, features, widths, members, 0);
    }

    /** Rows in the batch. */
    public int rows() {
        return logits.length / labels;
    }
}
