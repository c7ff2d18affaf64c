package org.distillery.student.loss;

import org.distillery.common.onnx.OnnxInitializers;
import org.distillery.student.data.DataException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

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
        Map<String, OnnxInitializers.Initializer> all;
        try {
            all = OnnxInitializers.read(onnx);
        } catch (IOException e) {
            throw new DataException("cannot read the teacher's ONNX file " + onnx + ": " + e.getMessage(), e);
        }
        OnnxInitializers.Initializer w = initializer(all, onnx, weightName);
        OnnxInitializers.Initializer b = initializer(all, onnx, biasName);
        if (w.dims().length != 2 || b.dims().length != 1 || b.dims()[0] != labels) {
            throw new DataException("teacher head: expected weight of rank 2 and bias [" + labels + "], got "
                    + Arrays.toString(w.dims()) + " and " + Arrays.toString(b.dims()));
        }
        float[] weight = w.values();
        int width;
        if (w.dims()[0] == labels) {
            width = (int) w.dims()[1];
        } else if (w.dims()[1] == labels) {
            width = (int) w.dims()[0];
            float[] t = new float[weight.length];
            for (int i = 0; i < width; i++) {
                for (int o = 0; o < labels; o++) {
                    t[o * width + i] = weight[i * labels + o];
                }
            }
            weight = t;
        } else {
            throw new DataException("teacher head weight '" + weightName + "' has shape " + Arrays.toString(w.dims())
                    + "; neither axis is the " + labels + " labels");
        }
        return new TeacherHead(weight, b.values(), labels, width);
    }

    private static OnnxInitializers.Initializer initializer(Map<String, OnnxInitializers.Initializer> all, Path onnx,
                                                            String name) {
        OnnxInitializers.Initializer found = all.get(name);
        if (found == null) {
            throw new DataException("the teacher's ONNX file " + onnx + " has no initializer '" + name + "'");
        }
        return found;
    }
}
