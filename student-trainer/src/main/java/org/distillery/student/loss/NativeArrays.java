package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.distillery.common.text.TokenIds;

/**
 * Arrays made from Java data whose memory libtorch owns.
 *
 * <p>DJL's PyTorch engine wraps the direct buffer it copies Java data into ({@code torch::from_blob}, no copy) and
 * drops its reference to that buffer when the array is closed, although views of it and tensors autograd saved for
 * the backward pass may still read it; the garbage collector can then free the memory under them (the same defect
 * {@link org.distillery.student.model.Scalars} avoids for constants). A copy made by libtorch is reference counted
 * with the tensors that use it, so inputs, labels and teacher outputs stay valid for as long as any of them needs
 * them, whatever order arrays are closed in.
 */
public final class NativeArrays {
    private NativeArrays() {
    }

    /** A libtorch-owned float array of {@code shape} in {@code manager}. */
    public static NDArray copy(NDManager manager, float[] values, Shape shape) {
        try (NDArray wrapped = manager.create(values, shape)) {
            return wrapped.duplicate();
        }
    }

    /** A libtorch-owned int64 array of {@code shape} in {@code manager}. */
    public static NDArray copy(NDManager manager, long[] values, Shape shape) {
        try (NDArray wrapped = manager.create(values, shape)) {
            return wrapped.duplicate();
        }
    }

    /** A student's three inputs from padded token ids: ids, attention mask and token types, {@code [batch, length]}. */
    public static NDList inputs(NDManager manager, TokenIds tokens) {
        Shape shape = new Shape(tokens.batch(), tokens.length());
        return new NDList(copy(manager, tokens.inputIds(), shape), copy(manager, tokens.attentionMask(), shape),
                copy(manager, tokens.tokenTypeIds(), shape));
    }
}
