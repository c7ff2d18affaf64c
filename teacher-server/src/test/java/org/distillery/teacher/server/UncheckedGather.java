package org.distillery.teacher.server;

import ai.onnx.proto.OnnxMl;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A graph whose ids reach an embedding table through an {@code Add}, which the server does not follow when it reads
 * bounds: an id past the table fails inside ONNX Runtime, a genuine runtime failure (INTERNAL).
 */
final class UncheckedGather {
    private UncheckedGather() {
    }

    /** Input {@code ids} int64 [batch, sequence]; a 10 × 2 table; output {@code logits} [batch, 2]. */
    static Path write(Path file) throws IOException {
        OnnxGraphWriter w = new OnnxGraphWriter();
        ONNXPlaceholder ids = w.input("ids", OnnxMl.TensorProto.DataType.INT64, new long[]{-1, -1},
                new String[]{"batch", "sequence"});
        float[] table = new float[20];
        for (int i = 0; i < table.length; i++) {
            table[i] = i / 10f;
        }
        ONNXNode shifted = w.apply(ONNXOperators.ADD, List.of(ids, w.longs("zero", 0L)), Map.of());
        ONNXNode vectors = w.apply(ONNXOperators.GATHER, List.of(w.floats("table", new long[]{10, 2}, table),
                shifted), Map.of("axis", 0));
        ONNXNode logits = w.apply(ONNXOperators.REDUCE_MEAN, List.of(vectors), Map.of("axes", new int[]{1},
                "keepdims", 0));
        w.output(logits, "logits", OnnxMl.TensorProto.DataType.FLOAT, new long[]{-1, 2}, new String[]{"batch", null});
        OnnxGraphWriter.write(w.model("unchecked", "test", Map.of()), file);
        return file;
    }

    /** A request of one example. */
    static org.distillery.proto.v1.InferRequest request(String model, long... ids) {
        return org.distillery.proto.v1.InferRequest.newBuilder().setModel(model).putInputs("ids",
                org.distillery.common.tensor.TensorCodec.encodeLongs(ids, new long[]{1, ids.length})).build();
    }
}
