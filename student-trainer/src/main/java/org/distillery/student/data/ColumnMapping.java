package org.distillery.student.data;

/**
 * Which columns (or JSON fields) hold the text, the optional pair text and the label.
 *
 * @param pairColumn null when the task has single texts
 */
public record ColumnMapping(String textColumn, String pairColumn, String labelColumn) {
    public ColumnMapping {
        if (textColumn == null || textColumn.isBlank() || labelColumn == null || labelColumn.isBlank()) {
            throw new IllegalArgumentException("text and label columns are required");
        }
    }

    /** GLUE-style single sentence: {@code sentence} and {@code label}. */
    public static ColumnMapping defaults() {
        return new ColumnMapping("sentence", null, "label");
    }
}
