package org.distillery.teacher.soak;

import java.util.Locale;

/**
 * What a soak call does, with its share of the mix (weights are relative). Bad kinds go on a unary call or inside an
 * InferStream between good requests; the expected status of each kind is in {@link Expectations}.
 */
public enum Kind {
    /** A valid request whose answer is compared with the in-process reference. */
    GOOD(45, true),
    /** A model name the server does not serve. */
    UNKNOWN_MODEL(3, true),
    /** input_ids sent as FLOAT32. */
    WRONG_DTYPE(3, true),
    /** input_ids of rank 3. */
    WRONG_RANK(3, true),
    /** input_ids whose bytes do not match its shape. */
    BYTE_LENGTH(3, true),
    /** A token id at or past the vocabulary size, or negative. */
    TOKEN_OUT_OF_RANGE(3, true),
    /** More tokens than the model's position embedding holds. */
    SEQUENCE_TOO_LONG(3, true),
    /** A sequence of length 0. */
    EMPTY_SEQUENCE(3, true),
    /** Over the server's request limits: examples, elements, or (unary only) message bytes. */
    OVERSIZE(6, true),
    /** A call the client cancels after a moment. */
    CANCELLED(8, false),
    /** A call with a deadline of a few milliseconds at most. */
    DEADLINE(8, false),
    /** A stream that sends well past the server's window, never reads, and is cancelled. */
    ABANDONED_STREAM(2, false);

    private final int weight;
    private final boolean request;

    Kind(int weight, boolean request) {
        this.weight = weight;
        this.request = request;
    }

    /** Relative share of the mix. */
    public int weight() {
        return weight;
    }

    /** True for kinds that are one request (answered on a stream by a response); false for kinds of call. */
    public boolean isRequest() {
        return request;
    }

    /** True for the kinds of bad request. */
    public boolean isBadRequest() {
        return request && this != GOOD;
    }

    /** snake_case name, as in the console and the JSON summary. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a label or constant name. */
    public static Kind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown soak kind '" + text + "'; expected one of "
                    + java.util.Arrays.stream(values()).map(Kind::label).toList());
        }
    }
}
