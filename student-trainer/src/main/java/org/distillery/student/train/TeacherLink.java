package org.distillery.student.train;

import org.distillery.student.client.TeacherClient;
import org.distillery.student.loss.TeacherHead;

import java.util.List;

/**
 * The teacher as training sees it: a client, the inputs the teacher takes, and its feature widths.
 *
 * @param inputNames   the teacher's graph inputs (from its model info)
 * @param featureWidth width of {@code TrainingOptions.teacherFeature()}, 0 when no feature is used
 * @param head         the teacher's classifier head for softmax regression, or null
 */
public record TeacherLink(TeacherClient client, List<String> inputNames, int featureWidth, TeacherHead head) {
    /** A link without a classifier head (no softmax-regression loss). */
    public TeacherLink(TeacherClient client, List<String> inputNames, int featureWidth) {
        this(client, inputNames, featureWidth, null);
    }
}
