package org.distillery.common.onnx;

import ai.onnx.proto.OnnxMl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the float initializers of an ONNX file: weights by name, for initialisation from a teacher or its head. */
public final class OnnxInitializers {
    private OnnxInitializers() {
    }

    /** One float initializer. */
    public record Initializer(long[] dims, float[] values) {
    }

    /**
     * The float32 initializers by name.
     *
     * @throws IOException when the file cannot be read as an ONNX model
     */
    public static Map<String, Initializer> read(Path onnx) throws IOException {
        OnnxMl.ModelProto model;
        try (InputStream in = Files.newInputStream(onnx)) {
            model = OnnxMl.ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new IOException("cannot read the ONNX file " + onnx + ": " + e.getMessage(), e);
        }
        Map<String, Initializer> out = new LinkedHashMap<>();
        for (OnnxMl.TensorProto t : model.getGraph().getInitializerList()) {
            if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
                continue;
            }
            long[] dims = new long[t.getDimsCount()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = t.getDims(i);
            }
            out.put(t.getName(), new Initializer(dims, floats(t)));
        }
        return out;
    }

    private static float[] floats(OnnxMl.TensorProto t) {
        if (!t.getRawData().isEmpty()) {
            ByteBuffer buffer = t.getRawData().asReadOnlyByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[buffer.remaining() / 4];
            buffer.asFloatBuffer().get(values);
            return values;
        }
        float[] values = new float[t.getFloatDataCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = t.getFloatData(i);
        }
        return values;
    }
}
