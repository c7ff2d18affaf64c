package org.distillery.student.train;

import org.distillery.common.text.TokenIds;

/**
 * One training batch: its examples' token ids and labels.
 *
 * @param step   the step that trains on it
 * @param tokens padded token ids
 * @param labels label ids
 */
public record Batch(int step, TokenIds tokens, long[] labels) {
    public int size() {
        return labels.length;
    }

    /**
     * A batch with the teacher's answer for it.
     *
     * @param teacher the answer, or null when the step is not distilled
     */
    public record WithTeacher(Batch batch, org.distillery.student.client.TeacherOutputs teacher) {
    }
}
