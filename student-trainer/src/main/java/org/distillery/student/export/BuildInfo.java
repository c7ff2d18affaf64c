package org.distillery.student.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The versions this trainer was built with, as the build wrote them ({@code build.properties}, filtered by Maven),
 * and the ONNX opset the exporter declares.
 */
public final class BuildInfo {
    private static final Properties PROPERTIES = load();

    private BuildInfo() {
    }

    private static Properties load() {
        Properties properties = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                throw new IllegalStateException("build.properties is missing from the classpath: build with Maven");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return properties;
    }

    /** A version by key ({@code distillery.version}, {@code djl.version}, {@code libtorch.version}, ...). */
    public static String version(String key) {
        String value = PROPERTIES.getProperty(key);
        if (value == null || value.startsWith("${")) {
            throw new IllegalStateException("build.properties has no " + key + " (was it filtered by the build?)");
        }
        return value;
    }

    /** One line for model metadata: distillery, DJL with its PyTorch, ONNX Runtime and the opset. */
    public static String versions() {
        return "distillery " + version("distillery.version") + "; djl " + version("djl.version") + " (pytorch "
                + version("libtorch.version") + "); onnxruntime " + version("onnxruntime.version") + "; onnx opset "
                + org.distillery.common.onnx.OnnxGraphWriter.OPSET;
    }
}
