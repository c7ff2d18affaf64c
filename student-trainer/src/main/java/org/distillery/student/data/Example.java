package org.distillery.student.data;

/**
 * One labelled example.
 *
 * @param text  the text (first segment)
 * @param pair  the second segment for sentence-pair tasks, "" when none
 * @param label the label id
 */
public record Example(String text, String pair, int label) {
}
