package org.distillery.teacher.server;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.ExtraOps;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.RandomWeights;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Test graphs with a vocabulary-wide output per token, written with the project's ONNX writer. */
final class SequenceTeachers {
    /** Rows of the input embedding: token ids below this (the test tokenizer's ids are). */
    static final int INPUT_VOCABULARY = 100;
    static final int HIDDEN = 16;

    private SequenceTeachers() {
    }

    /**
     * A masked-LM-shaped teacher: inputs {@code input_ids}, {@code attention_mask} (int64 {@code [batch, sequence]});
     * outputs {@code logits [batch, sequence, vocabulary]}, {@code last_hidden_state [batch, sequence, 16]} and
     * {@code pooled [batch, 16]} (the first token's state). Each token's state mixes its embedding with the sum over
     * the unmasked tokens, so rows depend on the whole example but not on padding.
     */
    static Path maskedLm(Path file, int vocabulary, long seed) throws IOException {
        RandomWeights weights = new RandomWeights(seed, 0.5);
        OnnxGraphWriter w = new OnnxGraphWriter();
        ONNXPlaceholder ids = w.input("input_ids", DataType.INT64, new long[]{-1, -1},
                BertGraphBuilder.SEQUENCE_DIMS);
        ONNXPlaceholder mask = w.input("attention_mask", DataType.INT64, new long[]{-1, -1},
                BertGraphBuilder.SEQUENCE_DIMS);
        ONNXNode embedded = w.apply(ONNXOperators.GATHER, List.of(param(w, weights, "embeddings",
                INPUT_VOCABULARY, HIDDEN), ids), Map.of("axis", 0));
        ONNXNode maskFloat = w.apply(ONNXOperators.UNSQUEEZE, w.apply(ONNXOperators.CAST, List.of(mask),
                Map.of("to", DataType.FLOAT.getNumber())), w.longs("mask_axes", 2));
        ONNXNode kept = w.mul(embedded, maskFloat);
        ONNXNode context = w.apply(ExtraOps.REDUCE_SUM, List.of(kept, w.longs("sum_axes", 1)),
                Map.of("keepdims", 1));
        ONNXNode mixed = w.add(w.linear(kept, param(w, weights, "token.weight", HIDDEN, HIDDEN),
                        param(w, weights, "token.bias", HIDDEN)),
                w.linear(context, param(w, weights, "context.weight", HIDDEN, HIDDEN), null));
        ONNXNode hidden = w.mul(w.apply(ExtraOps.TANH, mixed), maskFloat);
        ONNXNode logits = w.linear(hidden, param(w, weights, "head.weight", vocabulary, HIDDEN),
                param(w, weights, "head.bias", vocabulary));
        ONNXNode pooled = w.apply(ONNXOperators.GATHER, List.of(hidden, w.scalar("first", 0L)), Map.of("axis", 1));
        w.output(logits, "logits", DataType.FLOAT, new long[]{-1, -1, vocabulary},
                new String[]{"batch", "sequence", null});
        w.output(hidden, "last_hidden_state", DataType.FLOAT, new long[]{-1, -1, HIDDEN},
                new String[]{"batch", "sequence", null});
        w.output(pooled, "pooled", DataType.FLOAT, new long[]{-1, HIDDEN}, new String[]{"batch", null});
        OnnxGraphWriter.write(w.model("mlm", "test", Map.of("kind", "mlm")), file);
        return file;
    }

    /** A graph whose logits output is not float: {@code logits} = INT64 cast of {@code features [batch, 4]}. */
    static Path integerLogits(Path file) throws IOException {
        OnnxGraphWriter w = new OnnxGraphWriter();
        ONNXPlaceholder x = w.input("features", DataType.FLOAT, new long[]{-1, 4}, new String[]{"batch", null});
        ONNXNode cast = w.apply(ONNXOperators.CAST, List.of(x), Map.of("to", DataType.INT64.getNumber()));
        w.output(cast, "logits", DataType.INT64, new long[]{-1, 4}, new String[]{"batch", null});
        OnnxGraphWriter.write(w.model("ints", "test", Map.of("kind", "ints")), file);
        return file;
    }

    private static org.tribuo.util.onnx.ONNXInitializer param(OnnxGraphWriter w, RandomWeights weights, String name,
                                                              long... shape) {
        return w.floats(name, shape, weights.get(name, shape));
    }
}
