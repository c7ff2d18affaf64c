package org.distillery.student.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A fastText-style student: the masked mean of token embeddings is the pooled feature, a linear layer gives logits.
 * Tiny and fast. Same inputs and outputs as {@link BertStudent} (token type ids are ignored).
 */
public final class FastTextStudent extends AbstractBlock {
    private final StudentConfig config;
    private final Parameter wordEmbeddings;
    private final Linear classifier;

    public FastTextStudent(StudentConfig config) {
        this.config = config;
        wordEmbeddings = addParameter(BertStudent.embedding("word_embeddings", config.vocabSize(), config.hidden()));
        classifier = addChildBlock("classifier", Linear.builder().setUnits(config.labels()).build());
    }

    public StudentConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDArray ids = inputs.get(0);
        NDArray mask = inputs.get(1).toType(DataType.FLOAT32, false).expandDims(2);
        NDArray vectors = Embedding.embedding(ids, ps.getValue(wordEmbeddings, ids.getDevice(), training),
                SparseFormat.DENSE).head();
        NDArray pooled = vectors.mul(mask).sum(new int[]{1}).div(mask.sum(new int[]{1}).maximum(1f));
        NDArray logits = classifier.forward(ps, new NDList(pooled), training).head();
        return new NDList(logits, pooled);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long batch = inputShapes[0].get(0);
        return new Shape[]{new Shape(batch, config.labels()), new Shape(batch, config.hidden())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        classifier.initialize(manager, dataType, new Shape(inputShapes[0].get(0), config.hidden()));
    }
}
