package org.distillery.student.train;

/** Training stopped for a reason the user must act on; the message says which. */
public class TrainingException extends RuntimeException {
    public TrainingException(String message, Throwable cause) {
        super(message, cause);
    }
}
