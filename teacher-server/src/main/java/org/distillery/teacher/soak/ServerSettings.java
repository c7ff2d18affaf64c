package org.distillery.teacher.soak;

import org.distillery.teacher.server.ServerLimits;

/**
 * How the soak starts its server: limits small enough that oversize requests are cheap to send, a bounded heap so
 * that memory growth shows, and the stream window the abandoned streams send past.
 *
 * @param maxRequestExamples {@code --max-request-examples}
 * @param maxRequestElements {@code --max-request-elements}
 * @param maxMessageMb       {@code --max-message-mb}
 * @param heapMb             the server JVM's heap ({@code -Xms} and {@code -Xmx}), in MiB
 */
public record ServerSettings(int maxRequestExamples, long maxRequestElements, int maxMessageMb, int heapMb) {
    /** 64 examples, 4096 elements per tensor, 4 MiB messages, 256 MiB heap. */
    public static final ServerSettings DEFAULTS = new ServerSettings(64, 4096, 4, 256);

    public ServerSettings {
        if (maxRequestExamples < 8 || maxRequestElements < 8L * SoakTeacher.MAX_POSITIONS || maxMessageMb < 1
                || heapMb < 64) {
            throw new IllegalArgumentException("server settings too small for the soak's good requests: "
                    + maxRequestExamples + " examples, " + maxRequestElements + " elements, " + maxMessageMb
                    + " MiB messages, " + heapMb + " MiB heap");
        }
    }

    /** Requests of one InferStream the server reads ahead (its default window). */
    public int streamWindow() {
        return ServerLimits.DEFAULTS.streamWindow();
    }
}
