package org.distillery.student.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import org.distillery.common.onnx.OnnxInitializers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Initialises a BERT-style student from a BERT-style teacher's ONNX initializers, the DistilBERT way: embeddings,
 * every other encoder layer (student layer i from teacher layer 2i), pooler and classifier. Names are Hugging Face
 * BERT names, with or without a {@code bert.} prefix. Widths must match; position embeddings may be cut to the
 * student's max length.
 */
public final class TeacherInitializer {
    private TeacherInitializer() {
    }

    /**
     * Copies the teacher's tensors into the student.
     *
     * @return the student parameters that were copied
     * @throws IllegalArgumentException naming the tensor and both shapes when they do not fit
     */
    public static List<String> apply(AbstractBlock student, StudentConfig config, Path teacherOnnx)
            throws IOException {
        return apply(student, config, teacherOnnx, 2);
    }

    /**
     * Copies the tensors of a BERT-style model into the student, student layer i from layer {@code stride × i}:
     * stride 2 is the DistilBERT initialisation, stride 1 starts a fine-tune from a pretrained encoder of the same
     * depth (a masked LM's encoder under a new classifier).
     */
    public static List<String> apply(AbstractBlock student, StudentConfig config, Path teacherOnnx, int stride)
            throws IOException {
        if (!config.kind().isBert()) {
            throw new IllegalArgumentException("--init-from-teacher needs a bert student, not " + config.kind());
        }
        Map<String, OnnxInitializers.Initializer> teacher = new LinkedHashMap<>();
        OnnxInitializers.read(teacherOnnx).forEach((name, init) -> teacher.put(name.startsWith("bert.")
                ? name.substring(5) : name, init));
        int teacherLayers = 0;
        while (teacher.containsKey("encoder.layer." + teacherLayers + ".attention.self.query.weight")) {
            teacherLayers++;
        }
        if (teacherLayers < stride * (config.layers() - 1) + 1) {
            throw new IllegalArgumentException("the teacher " + teacherOnnx + " has " + teacherLayers
                    + " encoder layers; taking " + (stride == 2 ? "every other one" : "every " + stride + "th")
                    + " for " + config.layers() + " student layers needs " + (stride * (config.layers() - 1) + 1));
        }
        List<String> copied = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : StudentParameters.byHfName(student).entrySet()) {
            String source = teacherName(e.getKey(), stride);
            OnnxInitializers.Initializer init = teacher.get(source);
            if (init == null) {
                if (e.getKey().startsWith("classifier.") || e.getKey().startsWith("pooler.")
                        || e.getKey().startsWith("cls.")) {
                    continue; // a teacher without a (matching) head: the student keeps its own
                }
                throw new IllegalArgumentException("the teacher " + teacherOnnx + " has no initializer '" + source
                        + "' for the student's " + e.getKey());
            }
            long[] want = e.getValue().getShape().getShape();
            float[] values = fit(e.getKey(), source, init, want);
            if (values == null) {
                continue;
            }
            NDArray view = e.getValue().stopGradient();
            view.subi(view).addi(view.getManager().create(values, new Shape(want)));
            view.close();
            copied.add(e.getKey());
        }
        return copied;
    }

    /** Student layer i reads teacher layer 2i. */
    static String teacherName(String student) {
        return teacherName(student, 2);
    }

    /** Student layer i reads teacher layer {@code stride × i}. */
    static String teacherName(String student, int stride) {
        if (student.startsWith("encoder.layer.")) {
            int dot = student.indexOf('.', "encoder.layer.".length());
            int layer = Integer.parseInt(student.substring("encoder.layer.".length(), dot));
            return "encoder.layer." + (stride * layer) + student.substring(dot);
        }
        return student;
    }

    private static float[] fit(String name, String source, OnnxInitializers.Initializer init, long[] want) {
        long[] have = init.dims();
        if (Arrays.equals(have, want)) {
            return init.values();
        }
        if (name.equals("embeddings.position_embeddings.weight") && have.length == 2 && have[1] == want[1]
                && have[0] >= want[0]) {
            return Arrays.copyOf(init.values(), (int) (want[0] * want[1]));
        }
        if (name.startsWith("classifier.")) {
            return null; // another label count: keep the student's own head
        }
        throw new IllegalArgumentException("cannot initialise from the teacher: '" + source + "' has shape "
                + Arrays.toString(have) + ", the student's " + name + " is " + Arrays.toString(want)
                + " (widths must match: use the teacher's hidden and intermediate sizes)");
    }
}
