package org.distillery.common.errors;

import io.grpc.Status;

/**
 * A failure with a gRPC status code and a description for the client: what was expected and what arrived.
 * Domain code throws these; {@link GrpcStatuses} turns them (and anything else) into statuses in one place.
 */
public class ServingException extends RuntimeException {
    private final Status.Code code;

    public ServingException(Status.Code code, String description) {
        this(code, description, null);
    }

    public ServingException(Status.Code code, String description, Throwable cause) {
        super(description, cause);
        this.code = code;
    }

    /** The gRPC status code this failure maps to. */
    public Status.Code code() {
        return code;
    }

    public static ServingException invalidArgument(String description) {
        return new ServingException(Status.Code.INVALID_ARGUMENT, description);
    }

    public static ServingException notFound(String description) {
        return new ServingException(Status.Code.NOT_FOUND, description);
    }

    public static ServingException resourceExhausted(String description) {
        return new ServingException(Status.Code.RESOURCE_EXHAUSTED, description);
    }

    public static ServingException failedPrecondition(String description) {
        return new ServingException(Status.Code.FAILED_PRECONDITION, description);
    }

    public static ServingException internal(String description, Throwable cause) {
        return new ServingException(Status.Code.INTERNAL, description, cause);
    }

    public static ServingException unavailable(String description) {
        return new ServingException(Status.Code.UNAVAILABLE, description);
    }

    public static ServingException deadlineExceeded(String description) {
        return new ServingException(Status.Code.DEADLINE_EXCEEDED, description);
    }

    public static ServingException cancelled(String description) {
        return new ServingException(Status.Code.CANCELLED, description);
    }
}
