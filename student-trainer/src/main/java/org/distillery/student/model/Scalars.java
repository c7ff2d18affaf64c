package org.distillery.student.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars as arrays whose memory libtorch owns, for arithmetic that autograd differentiates.
 *
 * <p>DJL's {@code array.mul(2f)} (likewise {@code div}, {@code maximum}, ... with a Java number) wraps the number in
 * a 0-d array over a Java direct buffer ({@code torch::from_blob}, no copy) and closes it right after the
 * operation, which drops DJL's only reference to that buffer. Autograd, however, keeps the scalar for the backward
 * pass (the gradient of {@code x · c} is {@code c}): once a garbage collection frees the buffer and a later
 * allocation reuses the memory, backward multiplies by whatever now lies there. That was the rare drift between
 * runs of one seed and the infinite gradient at a small loss. A scalar made by {@code torch::full} is reference
 * counted by libtorch and lives as long as autograd needs it.
 */
public final class Scalars {
    private Scalars() {
    }

    /** A 0-d array holding {@code value}, in {@code like}'s manager and data type. */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType());
    }

    /** {@code x · value}, safe to differentiate. */
    public static NDArray mul(NDArray x, double value) {
        return x.mul(of(x, value));
    }

    /** {@code x / value}, safe to differentiate. */
    public static NDArray div(NDArray x, double value) {
        return x.div(of(x, value));
    }

    /** {@code max(x, value)} elementwise, safe to differentiate. */
    public static NDArray atLeast(NDArray x, double value) {
        return x.maximum(of(x, value));
    }
}
