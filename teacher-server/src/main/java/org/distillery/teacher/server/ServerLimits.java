package org.distillery.teacher.server;

/**
 * Per-request limits and stream flow control.
 *
 * @param maxRequestExamples largest batch one request may carry (RESOURCE_EXHAUSTED above)
 * @param maxRequestElements most elements one input tensor may hold (RESOURCE_EXHAUSTED above)
 * @param streamWindow       requests of one InferStream read ahead of responses the client has taken
 * @param maxMessageBytes    largest gRPC message accepted
 * @param streamWindowBytes  bytes of responses one InferStream may have computed but not yet taken by the client;
 *                           the server reads fewer requests ahead when responses are large
 */
public record ServerLimits(int maxRequestExamples, long maxRequestElements, int streamWindow, int maxMessageBytes,
                           long streamWindowBytes) {
    /**
     * 1024 examples, 1M elements per tensor, a window of 64 requests and 64 MiB of responses, 256 MiB messages: the
     * one place for these defaults.
     */
    public static final ServerLimits DEFAULTS = new ServerLimits(1024, 1L << 20, 64, 256 << 20, 64L << 20);

    /** These limits with the default stream window in bytes. */
    public ServerLimits(int maxRequestExamples, long maxRequestElements, int streamWindow, int maxMessageBytes) {
        this(maxRequestExamples, maxRequestElements, streamWindow, maxMessageBytes, 64L << 20);
    }

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
        if (streamWindowBytes < 1) {
            throw new IllegalArgumentException("stream window bytes must be >= 1, got " + streamWindowBytes);
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
