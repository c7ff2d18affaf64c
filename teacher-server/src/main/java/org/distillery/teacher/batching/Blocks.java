package org.distillery.teacher.batching;

/**
 * Copies a rectangular block between two row-major arrays of the same primitive type, one contiguous run of the
 * last axis at a time. Used both to pad requests into a batch and to cut a request's part back out.
 */
final class Blocks {
    private Blocks() {
    }

    /**
     * Copies {@code block} elements starting at {@code srcOrigin} in {@code src} to {@code dstOrigin} in
     * {@code dst}. All arrays of shapes have the same rank.
     */
    static void copy(Object src, long[] srcShape, long[] srcOrigin, Object dst, long[] dstShape, long[] dstOrigin,
                     long[] block) {
        int rank = block.length;
        for (long b : block) {
            if (b == 0) {
                return;
            }
        }
        if (rank == 0) {
            System.arraycopy(src, 0, dst, 0, 1);
            return;
        }
        long[] srcStrides = strides(srcShape);
        long[] dstStrides = strides(dstShape);
        int run = (int) block[rank - 1];
        long[] index = new long[rank - 1];
        while (true) {
            long s = srcOrigin[rank - 1];
            long d = dstOrigin[rank - 1];
            for (int i = 0; i < rank - 1; i++) {
                s += (srcOrigin[i] + index[i]) * srcStrides[i];
                d += (dstOrigin[i] + index[i]) * dstStrides[i];
            }
            System.arraycopy(src, (int) s, dst, (int) d, run);
            int axis = rank - 2;
            while (axis >= 0) {
                if (++index[axis] < block[axis]) {
                    break;
                }
                index[axis] = 0;
                axis--;
            }
            if (axis < 0) {
                return;
            }
        }
    }

    static long[] strides(long[] shape) {
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = stride;
            stride *= shape[i];
        }
        return strides;
    }
}
