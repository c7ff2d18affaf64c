package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays made from Java data whose memory libtorch owns.
 *
 * <p>DJL's PyTorch engine wraps the direct buffer it copies Java data into ({@code torch::from_blob}, no copy), and
 * drops its reference to that buffer when the array is closed, although views of it and tensors saved for the
 * backward pass may still read it; the garbage collector can then free or reuse the memory under them. Such memory
 * is also aligned only as the JVM happens to allocate it, and MKL's kernels take different paths (and round
 * differently) for different alignments. A copy made by libtorch lives in its own 64-byte-aligned allocation with
 * proper reference counting, so training reads the same bytes at the same alignment on every run.
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
}
