package org.distillery.teacher.server;

/**
 * Per-request limits and stream flow control.
 *
 * @param maxRequestExamples largest batch one request may carry (RESOURCE_EXHAUSTED above)
 * @param maxRequestElements most elements one input tensor may hold (RESOURCE_EXHAUSTED above)
 * @param streamWindow       requests of one InferStream read ahead of responses the client has taken
 * @param maxMessageBytes    largest gRPC message accepted
 */
public record ServerLimits(int maxRequestExamples, long maxRequestElements, int streamWindow, int maxMessageBytes) {
    /** 1024 examples, 16M elements per tensor, a window of 64, 256 MiB messages: the one place for these defaults. */
    public static final ServerLimits DEFAULTS = new ServerLimits(1024, 16L << 20, 64, 256 << 20);

    public ServerLimits {
        if (maxRequestExamples < 1) {
            throw new IllegalArgumentException("max request examples must be >= 1, got " + maxRequestExamples);
        }
        if (maxRequestElements < 1) {
            throw new IllegalArgumentException("max request elements must be >= 1, got " + maxRequestElements);
        }
        if (streamWindow < 1) {
            throw new IllegalArgumentException("stream window must be >= 1, got " + streamWindow);
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("max message bytes must be >= 1024, got " + maxMessageBytes);
        }
    }

    /** {@link #DEFAULTS}. */
    public static ServerLimits defaults() {
        return DEFAULTS;
    }
}
