package org.distillery.student.loss;

import ai.onnx.proto.OnnxMl;
import org.distillery.student.data.DataException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The teacher's classifier head, read from its ONNX file's initializers by name, for the softmax-regression loss
 * (student features through the teacher's classifier). Stored as {@code weight [labels, width]} and
 * {@code bias [labels]}; a weight stored {@code [width, labels]} (MatMul layout) is transposed.
 *
 * @param weight row-major {@code [labels, width]}
 */
public record TeacherHead(float[] weight, float[] bias, int labels, int width) {
    /**
     * @throws DataException when the file, an initializer, or the shapes do not fit
     */
    public static TeacherHead read(Path onnx, String weightName, String biasName, int labels) {
        OnnxMl.ModelProto model;
        try (InputStream in = Files.newInputStream(onnx)) {
            model = OnnxMl.ModelProto.parseFrom(in);
        } catch (IOException e) {
            throw new DataException("cannot read the teacher's ONNX file " + onnx + ": " + e.getMessage(), e);
        }
        OnnxMl.TensorProto w = initializer(model, onnx, weightName);
        OnnxMl.TensorProto b = initializer(model, onnx, biasName);
        if (w.getDimsCount() != 2 || b.getDimsCount() != 1 || b.getDims(0) != labels) {
            throw new DataException("teacher head: expected weight of rank 2 and bias [" + labels + "], got "
                    + w.getDimsList() + " and " + b.getDimsList());
        }
        float[] weight = floats(w);
        int width;
        if (w.getDims(0) == labels) {
            width = (int) w.getDims(1);
        } else if (w.getDims(1) == labels) {
            width = (int) w.getDims(0);
            float[] t = new float[weight.length];
            for (int i = 0; i < width; i++) {
                for (int o = 0; o < labels; o++) {
                    t[o * width + i] = weight[i * labels + o];
                }
            }
            weight = t;
        } else {
            throw new DataException("teacher head weight '" + weightName + "' has shape " + w.getDimsList()
                    + "; neither axis is the " + labels + " labels");
        }
        return new TeacherHead(weight, floats(b), labels, width);
    }

    private static OnnxMl.TensorProto initializer(OnnxMl.ModelProto model, Path onnx, String name) {
        return model.getGraph().getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new DataException("the teacher's ONNX file " + onnx + " has no initializer '"
                        + name + "'"));
    }

    private static float[] floats(OnnxMl.TensorProto t) {
        if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
            throw new DataException("initializer '" + t.getName() + "' is not float32");
        }
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
