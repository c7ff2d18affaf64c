package org.distillery.student.client;

/**
 * What happens on the link to the teacher fleet, as the client sees it: each request sent to an endpoint, each
 * answer, each stream that failed, each request resent after its stream died, and the number in flight. Endpoints
 * are named by the address the stream reached ({@code 127.0.0.1:50051}). Called from gRPC threads: implementations
 * must be thread-safe and quick. The default methods do nothing.
 */
public interface TeacherLinkListener {
    /** Does nothing. */
    TeacherLinkListener NONE = new TeacherLinkListener() {
    };

    /** A request went out on a stream to {@code endpoint}. */
    default void sent(String endpoint) {
    }

    /** {@code endpoint} answered a request after {@code seconds}. */
    default void answered(String endpoint, double seconds) {
    }

    /** A stream to {@code endpoint} failed with {@code code} (a gRPC status code name). */
    default void streamFailed(String endpoint, String code) {
    }

    /** {@code count} requests of a dead stream were sent again to the rest of the fleet. */
    default void resent(int count) {
    }

    /**
     * A request message of {@code bytes} (its serialized protobuf size, which is what gRPC puts on the wire without
     * compression, less its 5-byte frame header) went out; resent requests count again.
     */
    default void sentBytes(long bytes) {
    }

    /** An answer message of {@code bytes} (serialized protobuf size) arrived. */
    default void receivedBytes(long bytes) {
    }

    /** Requests now sent and not yet answered, across all streams. */
    default void inFlight(int count) {
    }
}
