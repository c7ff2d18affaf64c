package org.distillery.student.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.FastTextGraphBuilder;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.WeightSource;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.model.StudentParameters;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Exports a DJL student to ONNX with the project's writer (opset 17; inputs {@code input_ids},
 * {@code attention_mask}, {@code token_type_ids} with dynamic batch and sequence axes; outputs {@code logits} and
 * {@code pooled_output}, or for a masked LM {@code logits [batch, sequence, vocab]} and {@code last_hidden_state}),
 * provenance in the metadata, then checks parity: ONNX Runtime against DJL on random padded
 * inputs. Over the tolerance, the export fails with the figure and no file is left behind.
 */
public final class OnnxStudentExporter {
    /** Largest allowed |ONNX − DJL| on logits and pooled features. */
    public static final double TOLERANCE = 1e-4;

    private OnnxStudentExporter() {
    }

    /** The maximum absolute differences found by the parity check (pooled: the last hidden state for a masked LM). */
    public record Parity(double logits, double pooled) {
    }

    /** Writes {@code out} and returns the parity figures. */
    public static Parity export(AbstractBlock student, StudentConfig config, Map<String, String> metadata, Path out,
                                NDManager manager) throws IOException {
        return export(student, config, metadata, out, manager, TOLERANCE);
    }

    static Parity export(AbstractBlock student, StudentConfig config, Map<String, String> metadata, Path out,
                         NDManager manager, double tolerance) throws IOException {
        OnnxMl.ModelProto model = model(student, config, metadata);
        Path target = out.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            OnnxGraphWriter.write(model, temp);
            Parity parity = check(student, config, temp, manager);
            if (!(parity.logits() <= tolerance && parity.pooled() <= tolerance)) {
                throw new ExportException(String.format("parity check failed: max |ONNX - DJL| is %.3g on logits "
                        + "and %.3g on pooled features, over %.0e; %s was not written", parity.logits(),
                        parity.pooled(), tolerance, out), null);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return parity;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The ONNX model of a student. */
    public static OnnxMl.ModelProto model(AbstractBlock student, StudentConfig config, Map<String, String> metadata) {
        Map<String, NDArray> params = StudentParameters.byHfName(student);
        WeightSource weights = (name, shape) -> {
            NDArray array = params.get(name);
            if (array == null) {
                throw new IllegalStateException("the student has no parameter '" + name + "'; it has "
                        + params.keySet());
            }
            if (!Arrays.equals(array.getShape().getShape(), shape)) {
                throw new IllegalStateException("parameter '" + name + "' has shape " + array.getShape()
                        + ", the graph needs " + Arrays.toString(shape));
            }
            return array.toFloatArray();
        };
        if (config.kind().isBert()) {
            BertGraphConfig graph = new BertGraphConfig(config.vocabSize(), config.hidden(), config.layers(),
                    config.heads(), config.intermediate(), config.maxLength(), 2, config.labels(), 1e-12f);
            BertGraphBuilder builder = new BertGraphBuilder(graph, weights);
            return config.kind() == StudentKind.BERT_MLM ? builder.buildMaskedLm("distillery-student", metadata)
                    : builder.build("distillery-student", metadata);
        }
        return FastTextGraphBuilder.build(config.vocabSize(), config.hidden(), config.labels(), weights,
                "distillery-student", metadata);
    }

    /** Runs DJL and ONNX Runtime on the same random padded batch and compares. */
    public static Parity check(AbstractBlock student, StudentConfig config, Path onnx, NDManager manager) {
        int batch = 4;
        int length = Math.min(12, config.maxLength());
        SplittableRandom random = new SplittableRandom(17);
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        long[] types = new long[batch * length];
        for (int b = 0; b < batch; b++) {
            int real = Math.max(1, length - 3 * b); // rows of decreasing length, padded with id 0, mask 0
            for (int t = 0; t < real; t++) {
                ids[b * length + t] = 1 + random.nextInt(config.vocabSize() - 1);
                mask[b * length + t] = 1;
                types[b * length + t] = t >= real / 2 ? 1 : 0;
            }
        }
        float[] djlLogits;
        float[] djlPooled;
        try (NDManager scope = manager.newSubManager()) {
            Shape shape = new Shape(batch, length);
            NDList out = student.forward(new ParameterStore(scope, false), new NDList(scope.create(ids, shape),
                    scope.create(mask, shape), scope.create(types, shape)), false);
            djlLogits = out.get(0).toFloatArray();
            djlPooled = out.get(1).toFloatArray();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try (OrtSession session = env.createSession(onnx.toString(), new OrtSession.SessionOptions())) {
            long[] shape = {batch, length};
            feeds.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            feeds.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            feeds.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            try (OrtSession.Result result = session.run(feeds)) {
                return new Parity(maxDiff(djlLogits, floats(result, "logits")),
                        maxDiff(djlPooled, floats(result, config.kind() == StudentKind.BERT_MLM
                                ? "last_hidden_state" : "pooled_output")));
            }
        } catch (OrtException e) {
            throw new ExportException("ONNX Runtime cannot run the exported student: " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floats(OrtSession.Result result, String name) {
        FloatBuffer b = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    private static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
