package org.distillery.student.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

import java.util.ArrayList;
import java.util.List;

/**
 * A BERT-style encoder written from DJL primitives (DJL's own transformer blocks are not BERT): word + position +
 * token type embeddings, LayerNorm, post-LN encoder layers, then a head. Input
 * {@code (input_ids, attention_mask, token_type_ids)} int64 {@code [B, S]}.
 * <ul>
 * <li>{@link StudentKind#BERT}: [CLS] pooling through a tanh pooler and a linear classifier; output
 * {@code (logits [B, labels], pooled [B, hidden])}.</li>
 * <li>{@link StudentKind#BERT_MLM}: Hugging Face's masked-LM head, dense + GELU + LayerNorm and a decoder tied to
 * the word embeddings plus a bias. With a fourth input, int64 {@code [N]} flat positions {@code b * S + s}, the head
 * runs at those positions only: output {@code (logits [N, vocab], hidden [N, hidden])}; without it, at every
 * position: {@code (logits [B, S, vocab], hidden [B, S, hidden])}.</li>
 * </ul>
 */
public final class BertStudent extends AbstractBlock {
    static final float EPSILON = 1e-12f;

    private final StudentConfig config;
    private final Parameter wordEmbeddings;
    private final Parameter positionEmbeddings;
    private final Parameter typeEmbeddings;
    private final LayerNorm embeddingNorm;
    private final Dropout dropout;
    private final List<EncoderLayer> layers = new ArrayList<>();
    private final Linear pooler;
    private final Linear classifier;
    private final Linear mlmTransform;
    private final LayerNorm mlmNorm;
    private final Parameter mlmBias;

    public BertStudent(StudentConfig config) {
        this.config = config;
        int h = config.hidden();
        wordEmbeddings = addParameter(embedding("word_embeddings", config.vocabSize(), h));
        positionEmbeddings = addParameter(embedding("position_embeddings", config.maxLength(), h));
        typeEmbeddings = addParameter(embedding("token_type_embeddings", 2, h));
        embeddingNorm = addChildBlock("embedding_norm", LayerNorm.builder().axis(2).optEpsilon(EPSILON).build());
        dropout = addChildBlock("dropout", Dropout.builder().optRate(config.dropout()).build());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer" + i, new EncoderLayer(h, config.heads(), config.intermediate(),
                    config.dropout(), EPSILON)));
        }
        if (config.kind() == StudentKind.BERT_MLM) {
            pooler = null;
            classifier = null;
            mlmTransform = addChildBlock("mlm_transform", Linear.builder().setUnits(h).build());
            mlmNorm = addChildBlock("mlm_norm", LayerNorm.builder().axis(1).optEpsilon(EPSILON).build());
            mlmBias = addParameter(Parameter.builder().setName("mlm_bias").setType(Parameter.Type.BIAS)
                    .optShape(new Shape(config.vocabSize())).build());
        } else {
            pooler = addChildBlock("pooler", Linear.builder().setUnits(h).build());
            classifier = addChildBlock("classifier", Linear.builder().setUnits(config.labels()).build());
            mlmTransform = null;
            mlmNorm = null;
            mlmBias = null;
        }
    }

    static Parameter embedding(String name, int rows, int width) {
        return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(rows, width))
                .build();
    }

    public StudentConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1);
        NDArray types = inputs.get(2);
        long batch = ids.getShape().get(0);
        long seq = ids.getShape().get(1);
        if (seq > config.maxLength()) {
            throw new IllegalArgumentException("sequence of " + seq + " tokens is longer than the student's "
                    + "max length " + config.maxLength());
        }
        NDArray words = lookup(ps, wordEmbeddings, ids, training);
        NDArray typeVectors = lookup(ps, typeEmbeddings, types, training);
        NDArray positions = ps.getValue(positionEmbeddings, ids.getDevice(), training).get("0:" + seq);
        positions.attach(ids.getManager()); // a view: freed with this forward's arrays, not kept with the weights
        NDArray x = EncoderLayer.apply(embeddingNorm, ps, words.add(typeVectors).add(positions), training);
        x = EncoderLayer.apply(dropout, ps, x, training);
        NDArray maskBias = mask.toType(DataType.FLOAT32, false).neg().add(1f).mul(-10000f)
                .reshape(batch, 1, 1, seq);
        for (EncoderLayer layer : layers) {
            x = layer.forward(ps, new NDList(x, maskBias), training).head();
        }
        if (mlmTransform != null) {
            return maskedLm(ps, x, inputs.size() > 3 ? inputs.get(3) : null, training);
        }
        NDArray cls = x.get(":, 0, :");
        NDArray pooled = EncoderLayer.apply(pooler, ps, cls, training).tanh();
        NDArray logits = EncoderLayer.apply(classifier, ps, EncoderLayer.apply(dropout, ps, pooled, training),
                training);
        return new NDList(logits, pooled);
    }

    private NDList maskedLm(ParameterStore ps, NDArray x, NDArray flatPositions, boolean training) {
        Shape shape = x.getShape();
        NDArray rows = x.reshape(shape.get(0) * shape.get(1), shape.get(2)); // the head works on [rows, hidden]
        NDArray hidden = flatPositions == null ? rows
                : Embedding.embedding(flatPositions, rows, SparseFormat.DENSE).head();
        NDArray t = Activation.gelu(EncoderLayer.apply(mlmTransform, ps, hidden, training));
        t = EncoderLayer.apply(mlmNorm, ps, t, training);
        NDArray decoder = ps.getValue(wordEmbeddings, x.getDevice(), training);
        NDArray logits = t.matMul(decoder.transpose()).add(ps.getValue(mlmBias, x.getDevice(), training));
        if (flatPositions == null) {
            return new NDList(logits.reshape(shape.get(0), shape.get(1), config.vocabSize()), x);
        }
        return new NDList(logits, hidden);
    }

    private static NDArray lookup(ParameterStore ps, Parameter table, NDArray ids, boolean training) {
        return Embedding.embedding(ids, ps.getValue(table, ids.getDevice(), training), SparseFormat.DENSE).head();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        if (mlmTransform != null) {
            long seq = inputShapes[0].get(1);
            return inputShapes.length > 3
                    ? new Shape[]{new Shape(inputShapes[3].get(0), config.vocabSize()),
                            new Shape(inputShapes[3].get(0), config.hidden())}
                    : new Shape[]{new Shape(batch, seq, config.vocabSize()), new Shape(batch, seq, config.hidden())};
        }
        return new Shape[]{new Shape(batch, config.labels()), new Shape(batch, config.hidden())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        long seq = inputShapes[0].get(1);
        Shape x = new Shape(batch, seq, config.hidden());
        embeddingNorm.initialize(manager, dataType, x);
        dropout.initialize(manager, dataType, x);
        for (EncoderLayer layer : layers) {
            layer.initialize(manager, dataType, x, new Shape(batch, 1, 1, seq));
        }
        if (mlmTransform != null) {
            Shape rows = new Shape(batch * seq, config.hidden());
            mlmTransform.initialize(manager, dataType, rows);
            mlmNorm.initialize(manager, dataType, rows);
            return;
        }
        Shape pooledShape = new Shape(batch, config.hidden());
        pooler.initialize(manager, dataType, pooledShape);
        classifier.initialize(manager, dataType, pooledShape);
    }
}
