package org.distillery.student.client;

import java.util.Map;

/**
 * What the teacher answered for one batch.
 *
 * @param logits   row-major {@code [batch, labels]}
 * @param features named feature outputs, row-major {@code [batch, width]}
 * @param widths   width of each feature
 * @param members  ensemble members that ran
 */
public record TeacherOutputs(float[] logits, int labels, Map<String, float[]> features, Map<String, Integer> widths,
                             java.util.List<String> members) {
}
