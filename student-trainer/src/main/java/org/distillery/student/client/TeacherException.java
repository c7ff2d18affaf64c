package org.distillery.student.client;

import io.grpc.Status;

/** The teacher refused or could not answer; carries the server's status and description. */
public class TeacherException extends RuntimeException {
    private final Status.Code code;

    public TeacherException(Status.Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Status.Code code() {
        return code;
    }
}
