package org.distillery.student.data;

/** A dataset that cannot be used as given; the message says what was expected and what was found. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
