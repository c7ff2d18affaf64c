package org.distillery.student.train;

import org.distillery.student.client.TeacherClient;

import java.util.List;

/**
 * The teacher as training sees it: a client, the inputs the teacher takes, and its feature widths.
 *
 * @param inputNames   the teacher's graph inputs (from its model info)
 * @param featureWidth width of {@code TrainingOptions.teacherFeature()}, 0 when no feature is used
 */
public record TeacherLink(TeacherClient client, List<String> inputNames, int featureWidth) {
}
