package org.distillery.student.export;

/** An export that failed; nothing was left at the target path. */
public class ExportException extends RuntimeException {
    public ExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
