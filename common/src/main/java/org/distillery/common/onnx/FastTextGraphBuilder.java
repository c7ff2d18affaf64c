package org.distillery.common.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

import java.util.List;
import java.util.Map;

/**
 * Writes a fastText-style classifier as ONNX: the attention-masked mean of word embeddings is
 * {@code pooled_output [batch, width]}, a linear layer gives {@code logits [batch, labels]}. Inputs as the BERT
 * graph's ({@code token_type_ids} accepted and unused), so either serves in the same place.
 */
public final class FastTextGraphBuilder {
    private FastTextGraphBuilder() {
    }

    /**
     * Parameters (Hugging Face style names): {@code embeddings.word_embeddings.weight [vocab, width]},
     * {@code classifier.weight [labels, width]}, {@code classifier.bias [labels]}.
     */
    public static OnnxMl.ModelProto build(int vocab, int width, int labels, WeightSource weights, String graphName,
                                          Map<String, String> metadata) {
        OnnxGraphWriter w = new OnnxGraphWriter();
        long[] seq = {-1, -1};
        ONNXPlaceholder ids = w.input("input_ids", DataType.INT64, seq, BertGraphBuilder.SEQUENCE_DIMS);
        ONNXPlaceholder mask = w.input("attention_mask", DataType.INT64, seq, BertGraphBuilder.SEQUENCE_DIMS);
        w.input("token_type_ids", DataType.INT64, seq, BertGraphBuilder.SEQUENCE_DIMS);
        long[] tableShape = {vocab, width};
        ONNXNode vectors = w.apply(ONNXOperators.GATHER, List.of(w.floats("embeddings.word_embeddings.weight", tableShape,
                weights.get("embeddings.word_embeddings.weight", tableShape)), ids), Map.of("axis", 0));
        ONNXNode maskFloat = w.apply(ONNXOperators.CAST, List.of(mask), Map.of("to", DataType.FLOAT.getNumber()));
        ONNXNode mask3 = w.apply(ONNXOperators.UNSQUEEZE, maskFloat, w.longs("mask_axes", 2));
        ONNXNode summed = w.apply(ExtraOps.REDUCE_SUM, List.of(w.mul(vectors, mask3), w.longs("sum_axes", 1)),
                Map.of("keepdims", 0));
        ONNXNode counts = w.apply(ExtraOps.REDUCE_SUM, List.of(mask3, w.longs("count_axes", 1)),
                Map.of("keepdims", 0));
        ONNXNode pooled = w.apply(ONNXOperators.DIV, summed, w.apply(ExtraOps.MAX, counts, w.scalar("one", 1f)));
        long[] weightShape = {labels, width};
        ONNXNode logits = w.linear(pooled, w.floats("classifier.weight", weightShape,
                        weights.get("classifier.weight", weightShape)),
                w.floats("classifier.bias", new long[]{labels}, weights.get("classifier.bias", new long[]{labels})));
        w.output(logits, "logits", DataType.FLOAT, new long[]{-1, labels}, new String[]{"batch", null});
        w.output(pooled, "pooled_output", DataType.FLOAT, new long[]{-1, width}, new String[]{"batch", null});
        return w.model(graphName, "0.1.0", metadata);
    }
}
