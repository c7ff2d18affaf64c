package org.distillery.student.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One post-LN BERT encoder layer: multi-head self-attention masked by an additive bias, residual + LayerNorm,
 * GELU feed-forward, residual + LayerNorm. Input {@code (x [B, S, H], maskBias [B, 1, 1, S])}.
 */
final class EncoderLayer extends AbstractBlock {
    private final int hidden;
    private final int heads;
    private final int intermediateSize;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear attentionOut;
    private final LayerNorm attentionNorm;
    private final Linear intermediate;
    private final Linear output;
    private final LayerNorm outputNorm;
    private final Dropout dropout;

    EncoderLayer(int hidden, int heads, int intermediateSize, float dropoutRate, float epsilon) {
        this.hidden = hidden;
        this.heads = heads;
        this.intermediateSize = intermediateSize;
        query = addChildBlock("query", Linear.builder().setUnits(hidden).build());
        key = addChildBlock("key", Linear.builder().setUnits(hidden).build());
        value = addChildBlock("value", Linear.builder().setUnits(hidden).build());
        attentionOut = addChildBlock("attention_output", Linear.builder().setUnits(hidden).build());
        attentionNorm = addChildBlock("attention_norm", LayerNorm.builder().axis(2).optEpsilon(epsilon).build());
        intermediate = addChildBlock("intermediate", Linear.builder().setUnits(intermediateSize).build());
        output = addChildBlock("output", Linear.builder().setUnits(hidden).build());
        outputNorm = addChildBlock("output_norm", LayerNorm.builder().axis(2).optEpsilon(epsilon).build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(dropoutRate).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray maskBias = inputs.get(1);
        long batch = x.getShape().get(0);
        long seq = x.getShape().get(1);
        int headDim = hidden / heads;
        NDArray q = split(linear(query, ps, x, training), batch, seq, headDim);
        NDArray k = split(linear(key, ps, x, training), batch, seq, headDim);
        NDArray v = split(linear(value, ps, x, training), batch, seq, headDim);
        NDArray scores = Scalars.div(q.matMul(k.transpose(0, 1, 3, 2)), Math.sqrt(headDim)).add(maskBias);
        NDArray context = scores.softmax(-1).matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, hidden);
        NDArray attention = apply(dropout, ps, linear(attentionOut, ps, context, training), training);
        NDArray afterAttention = apply(attentionNorm, ps, x.add(attention), training);
        NDArray inner = Activation.gelu(linear(intermediate, ps, afterAttention, training));
        NDArray out = apply(dropout, ps, linear(output, ps, inner, training), training);
        return new NDList(apply(outputNorm, ps, afterAttention.add(out), training));
    }

    private NDArray split(NDArray x, long batch, long seq, int headDim) {
        return x.reshape(batch, seq, heads, headDim).transpose(0, 2, 1, 3);
    }

    static NDArray apply(AbstractBlock block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).head();
    }

    /**
     * A linear layer over the last axis of {@code x [..., in]}, computed on its 2-D view {@code [rows, in]}: for a
     * 2-D input libtorch adds the bias inside the matrix product (addmm); for more axes it runs the product and then
     * a separate pass over the output to add the bias. The views cost nothing.
     */
    static NDArray linear(Linear block, ParameterStore ps, NDArray x, boolean training) {
        Shape shape = x.getShape();
        if (shape.dimension() == 2) {
            return apply(block, ps, x, training);
        }
        NDArray y = apply(block, ps, x.reshape(-1, shape.tail()), training);
        return y.reshape(shape.slice(0, shape.dimension() - 1).add(y.getShape().tail()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[]{inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape x = inputShapes[0];
        for (Linear l : new Linear[]{query, key, value, attentionOut}) {
            l.initialize(manager, dataType, x);
        }
        attentionNorm.initialize(manager, dataType, x);
        intermediate.initialize(manager, dataType, x);
        output.initialize(manager, dataType, new Shape(x.get(0), x.get(1), intermediateSize));
        outputNorm.initialize(manager, dataType, x);
        dropout.initialize(manager, dataType, x);
    }
}
