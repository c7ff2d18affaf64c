package org.distillery.teacher.cli;

/** One-line log records on stderr for java.util.logging (ONNX Runtime, gRPC, ours); quiet slf4j-simple (DJL). */
final class Logging {
    private Logging() {
    }

    static void configure() {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // DJL probes for CUDA when its tokenizer loads and warns on every machine without a matching driver.
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        System.setProperty("ai.djl.offline", "true");
    }
}
