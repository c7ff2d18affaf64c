package org.distillery.common.errors;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The single place where failures become gRPC statuses. A {@link ServingException} keeps its code and description;
 * a status exception passes through; anything else is INTERNAL with its message, since the cause never crosses the
 * wire and the description must say what went wrong.
 */
public final class GrpcStatuses {
    private GrpcStatuses() {
    }

    /** Maps any failure to a status with a description. */
    public static Status toStatus(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof ServingException) {
            ServingException e = (ServingException) t;
            return Status.fromCode(e.code()).withDescription(e.getMessage()).withCause(e);
        }
        if (t instanceof StatusRuntimeException) {
            return ((StatusRuntimeException) t).getStatus();
        }
        if (t instanceof StatusException) {
            return ((StatusException) t).getStatus();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getClass().getSimpleName()
                + ": " + t.getMessage();
        return Status.INTERNAL.withDescription(message).withCause(t);
    }

    /** Maps a failure to a status whose description starts with a prefix (e.g. the request id on a stream). */
    public static Status toStatus(Throwable failure, String prefix) {
        Status status = toStatus(failure);
        String description = status.getDescription() == null ? "" : status.getDescription();
        return status.withDescription(prefix + description);
    }

    /** Removes the wrappers that futures and executors add. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
