package org.distillery.teacher.soak;

import io.grpc.Status.Code;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The contract the soak holds the server to: which statuses each kind may end with. The one table to adjust when the
 * contract changes. Anything not listed (UNKNOWN, INTERNAL, UNAVAILABLE while the server is up, a stream ended by
 * one request's failure, a call that never ends) is unexpected.
 *
 * <p>On InferStream a bad request is answered by a response whose {@code error} carries the status, and the stream
 * goes on; a stream that ends with a request's status instead is unexpected ({@link Outcome#streamEnded}).
 */
public final class Expectations {
    private static final Map<Kind, Set<Code>> EXPECTED = new EnumMap<>(Kind.class);

    static {
        EXPECTED.put(Kind.GOOD, EnumSet.of(Code.OK));
        EXPECTED.put(Kind.UNKNOWN_MODEL, EnumSet.of(Code.NOT_FOUND));
        EXPECTED.put(Kind.WRONG_DTYPE, EnumSet.of(Code.INVALID_ARGUMENT));
        EXPECTED.put(Kind.WRONG_RANK, EnumSet.of(Code.INVALID_ARGUMENT));
        EXPECTED.put(Kind.BYTE_LENGTH, EnumSet.of(Code.INVALID_ARGUMENT));
        // Token ids and sequence lengths are checked against the graph's embeddings: INTERNAL (ONNX Runtime's own
        // failure) is not acceptable for them.
        EXPECTED.put(Kind.TOKEN_OUT_OF_RANGE, EnumSet.of(Code.INVALID_ARGUMENT));
        EXPECTED.put(Kind.SEQUENCE_TOO_LONG, EnumSet.of(Code.INVALID_ARGUMENT));
        EXPECTED.put(Kind.EMPTY_SEQUENCE, EnumSet.of(Code.INVALID_ARGUMENT));
        EXPECTED.put(Kind.OVERSIZE, EnumSet.of(Code.RESOURCE_EXHAUSTED));
        // A call may finish before the client cancels it or before its deadline: then it must be a correct answer.
        EXPECTED.put(Kind.CANCELLED, EnumSet.of(Code.CANCELLED, Code.OK));
        EXPECTED.put(Kind.DEADLINE, EnumSet.of(Code.DEADLINE_EXCEEDED, Code.OK));
        EXPECTED.put(Kind.ABANDONED_STREAM, EnumSet.of(Code.CANCELLED));
    }

    private Expectations() {
    }

    /** The statuses a kind may end with. */
    public static Set<Code> expected(Kind kind) {
        return EXPECTED.get(kind);
    }

    /** Whether an outcome is within the contract for its kind. */
    public static boolean isExpected(Kind kind, Outcome outcome) {
        return outcome.status() != null && expected(kind).contains(outcome.status());
    }
}
