package org.distillery.student.train;

/**
 * Fixes libtorch's thread counts before DJL loads the engine, so every run of a seed does its parallel reductions
 * over the same number of threads (DJL leaves libtorch to choose unless told): {@code ai.djl.pytorch.num_threads}
 * (the machine's processors unless set) and one inter-op thread. Values the user set are kept.
 */
public final class NativeDeterminism {
    private NativeDeterminism() {
    }

    /** Sets the properties unless already set; call before the first DJL use. */
    public static void configure() {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads",
                    Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
        if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
