package org.distillery.teacher.soak;

import io.grpc.Status;

/**
 * How one soak request or call ended, as counted.
 *
 * @param label  what the console and the JSON show: a status code name, or a description of a failure outside the
 *               contract ({@code STREAM_ENDED_…}, {@code NO_ANSWER}, {@code HUNG})
 * @param status the status code when the call ended with one the contract can accept, else null
 */
public record Outcome(String label, Status.Code status) {
    /** Success. */
    public static final Outcome OK = new Outcome("OK", Status.Code.OK);
    /** A stream that completed without answering every request it was sent. */
    public static final Outcome NO_ANSWER = new Outcome("NO_ANSWER", null);
    /** A call that had not ended long after it should have. */
    public static final Outcome HUNG = new Outcome("HUNG", null);

    /** A call, or one request on a stream (from its response's error), that ended with a status. */
    public static Outcome of(Status.Code code) {
        return code == Status.Code.OK ? OK : new Outcome(code.name(), code);
    }

    /** A request whose failure ended its whole stream: never within the contract. */
    public static Outcome streamEnded(Status.Code code) {
        return new Outcome("STREAM_ENDED_" + code.name(), null);
    }
}
