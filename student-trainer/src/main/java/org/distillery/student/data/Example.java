package org.distillery.student.data;

/**
 * One example, labelled or not.
 *
 * @param text  the text (first segment)
 * @param pair  the second segment for sentence-pair tasks, "" when none
 * @param label the label id, or {@link #UNLABELLED}
 */
public record Example(String text, String pair, int label) {
    /**
     * The label of an example without one (transfer-set text): it is left out of the hard-label term and of label
     * metrics, and teaches only through the teacher's terms.
     */
    public static final int UNLABELLED = -1;

    public Example {
        if (label < UNLABELLED) {
            throw new IllegalArgumentException("a label id is >= 0, or " + UNLABELLED + " for an unlabelled "
                    + "example; got " + label);
        }
    }

    /** True when the example has a label. */
    public boolean labelled() {
        return label != UNLABELLED;
    }

    /** The same text without its label. */
    public Example withoutLabel() {
        return new Example(text, pair, UNLABELLED);
    }
}
