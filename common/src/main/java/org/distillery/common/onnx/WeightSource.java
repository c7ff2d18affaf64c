package org.distillery.common.onnx;

/** Supplies the values of a named parameter with a given shape (row-major), e.g. from a trained model. */
@FunctionalInterface
public interface WeightSource {
    /**
     * @param name  PyTorch-style parameter name, e.g. {@code encoder.layer.0.attention.self.query.weight}
     * @param shape the shape the graph needs; linear weights are {@code [out, in]}
     */
    float[] get(String name, long[] shape);
}
