package org.distillery.common.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

import java.util.List;
import java.util.Map;

/**
 * Writes a BERT-style sequence classifier (or, with {@link #buildMaskedLm}, a masked language model) as ONNX:
 * inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids} (int64 {@code [batch, sequence]}); outputs {@code logits [batch, labels]},
 * {@code pooled_output [batch, hidden]} and {@code last_hidden_state [batch, sequence, hidden]}.
 * Parameter names follow Hugging Face's BERT so that weights can be matched by name.
 */
public final class BertGraphBuilder {
    public static final String[] SEQUENCE_DIMS = {"batch", "sequence"};

    private final BertGraphConfig config;
    private final WeightSource weights;
    private OnnxGraphWriter writer;
    private ONNXInitializer wordEmbeddings;

    public BertGraphBuilder(BertGraphConfig config, WeightSource weights) {
        this.config = config;
        this.weights = weights;
    }

    /** Builds the classifier with the given metadata. */
    public OnnxMl.ModelProto build(String graphName, Map<String, String> metadata) {
        ONNXNode x = encoder();
        int h = config.hidden();
        ONNXNode cls = writer.apply(ONNXOperators.GATHER, List.of(x, writer.scalar("cls_index", 0L)),
                Map.of("axis", 1));
        ONNXNode pooled = writer.apply(ExtraOps.TANH, dense("pooler.dense", cls, h, h));
        ONNXNode logits = dense("classifier", pooled, config.labels(), h);

        writer.output(logits, "logits", DataType.FLOAT, new long[]{-1, config.labels()}, new String[]{"batch", null});
        writer.output(pooled, "pooled_output", DataType.FLOAT, new long[]{-1, h}, new String[]{"batch", null});
        writer.output(x, "last_hidden_state", DataType.FLOAT, new long[]{-1, -1, h},
                new String[]{"batch", "sequence", null});
        return writer.model(graphName, "0.1.0", metadata);
    }

    /**
     * Builds a masked language model as Hugging Face's {@code BertForMaskedLM} computes it: the encoder, then
     * {@code cls.predictions.transform} (dense, GELU, LayerNorm) and a decoder tied to the word embeddings (the same
     * initializer, transposed) plus {@code cls.predictions.bias}. Outputs {@code logits [batch, sequence, vocab]}
     * and {@code last_hidden_state [batch, sequence, hidden]}; {@code config.labels()} is not used.
     */
    public OnnxMl.ModelProto buildMaskedLm(String graphName, Map<String, String> metadata) {
        ONNXNode x = encoder();
        int h = config.hidden();
        ONNXNode transformed = layerNorm("cls.predictions.transform.LayerNorm",
                writer.gelu(dense("cls.predictions.transform.dense", x, h, h)));
        ONNXNode decoder = writer.transpose(wordEmbeddings, 1, 0);
        ONNXNode logits = writer.add(writer.matMul(transformed, decoder),
                param("cls.predictions.bias", config.vocabSize()));
        writer.output(logits, "logits", DataType.FLOAT, new long[]{-1, -1, config.vocabSize()},
                new String[]{"batch", "sequence", null});
        writer.output(x, "last_hidden_state", DataType.FLOAT, new long[]{-1, -1, h},
                new String[]{"batch", "sequence", null});
        return writer.model(graphName, "0.1.0", metadata);
    }

    /** Inputs, embeddings and encoder layers: the last hidden state {@code [batch, sequence, hidden]}. */
    private ONNXNode encoder() {
        writer = new OnnxGraphWriter();
        long[] seqShape = {-1, -1};
        ONNXPlaceholder ids = writer.input("input_ids", DataType.INT64, seqShape, SEQUENCE_DIMS);
        ONNXPlaceholder mask = writer.input("attention_mask", DataType.INT64, seqShape, SEQUENCE_DIMS);
        ONNXPlaceholder types = writer.input("token_type_ids", DataType.INT64, seqShape, SEQUENCE_DIMS);
        int h = config.hidden();

        wordEmbeddings = param("embeddings.word_embeddings.weight", config.vocabSize(), h);
        ONNXNode words = gather(wordEmbeddings, ids);
        ONNXNode typeEmb = gather(param("embeddings.token_type_embeddings.weight", config.typeVocabSize(), h), types);
        ONNXNode seqLen = writer.apply(ExtraOps.SHAPE, List.of(ids), Map.of("start", 1, "end", 2));
        ONNXNode positions = writer.apply(ExtraOps.SLICE,
                param("embeddings.position_embeddings.weight", config.maxPositions(), h),
                writer.longs("slice_start", 0), seqLen, writer.longs("slice_axes", 0));
        ONNXNode x = layerNorm("embeddings.LayerNorm", writer.add(writer.add(words, typeEmb), positions));

        // (1 - mask) * -10000, broadcast over heads and query positions: [batch, 1, 1, sequence]
        ONNXNode maskFloat = writer.apply(ONNXOperators.CAST, List.of(mask), Map.of("to",
                DataType.FLOAT.getNumber()));
        ONNXNode inverted = writer.apply(ONNXOperators.SUB, writer.scalar("one", 1f), maskFloat);
        ONNXNode additive = writer.mul(inverted, writer.scalar("mask_value", -10000f));
        ONNXNode maskBias = writer.apply(ONNXOperators.UNSQUEEZE, additive, writer.longs("mask_axes", 1, 2));

        for (int layer = 0; layer < config.layers(); layer++) {
            x = encoderLayer("encoder.layer." + layer + ".", x, maskBias);
        }
        return x;
    }

    private ONNXNode encoderLayer(String prefix, ONNXNode x, ONNXNode maskBias) {
        int h = config.hidden();
        int heads = config.heads();
        int headDim = h / heads;
        ONNXNode q = splitHeads(dense(prefix + "attention.self.query", x, h, h), 0, 2, 1, 3);
        ONNXNode k = splitHeads(dense(prefix + "attention.self.key", x, h, h), 0, 2, 3, 1);
        ONNXNode v = splitHeads(dense(prefix + "attention.self.value", x, h, h), 0, 2, 1, 3);
        ONNXNode scores = writer.mul(writer.matMul(q, k), writer.scalar("attention_scale",
                (float) (1.0 / Math.sqrt(headDim))));
        ONNXNode probs = writer.apply(ONNXOperators.SOFTMAX, List.of(writer.add(scores, maskBias)),
                Map.of("axis", -1));
        ONNXNode context = writer.reshape(writer.transpose(writer.matMul(probs, v), 0, 2, 1, 3), 0, 0, h);
        ONNXNode attention = dense(prefix + "attention.output.dense", context, h, h);
        ONNXNode afterAttention = layerNorm(prefix + "attention.output.LayerNorm", writer.add(x, attention));
        ONNXNode inner = writer.gelu(dense(prefix + "intermediate.dense", afterAttention, config.intermediate(), h));
        ONNXNode out = dense(prefix + "output.dense", inner, h, config.intermediate());
        return layerNorm(prefix + "output.LayerNorm", writer.add(afterAttention, out));
    }

    /** [batch, seq, hidden] → [batch, seq, heads, headDim] → permuted. */
    private ONNXNode splitHeads(ONNXNode x, int... perm) {
        int heads = config.heads();
        return writer.transpose(writer.reshape(x, 0, 0, heads, config.hidden() / heads), perm);
    }

    private ONNXNode dense(String prefix, ONNXRef<?> x, int out, int in) {
        return writer.linear(x, param(prefix + ".weight", out, in), param(prefix + ".bias", out));
    }

    private ONNXNode layerNorm(String prefix, ONNXRef<?> x) {
        int h = config.hidden();
        return writer.layerNorm(x, param(prefix + ".weight", h), param(prefix + ".bias", h),
                config.layerNormEpsilon());
    }

    private ONNXNode gather(ONNXInitializer table, ONNXRef<?> indices) {
        return writer.apply(ONNXOperators.GATHER, List.of(table, indices), Map.of("axis", 0));
    }

    private ONNXInitializer param(String name, long... shape) {
        return writer.floats(name, shape, weights.get(name, shape));
    }
}
