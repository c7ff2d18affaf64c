package org.distillery.student.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;

/** Builds and initializes students. */
public final class Students {
    private Students() {
    }

    /** A new student with weights drawn from normal(0, 0.02) (biases 0, LayerNorm scale 1). */
    public static AbstractBlock create(StudentConfig config, NDManager manager) {
        AbstractBlock block = config.kind().isBert() ? new BertStudent(config)
                : new FastTextStudent(config);
        block.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        Shape tokens = new Shape(2, Math.min(8, config.maxLength()));
        block.initialize(manager, DataType.FLOAT32, tokens, tokens, tokens);
        return block;
    }
}
