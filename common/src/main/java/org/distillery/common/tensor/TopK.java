package org.distillery.common.tensor;

import org.distillery.common.errors.ServingException;

import java.util.Arrays;

/**
 * The k largest values over the last axis of a row-major tensor, with their int32 indices, largest first.
 * Ties keep the lower index first, so results are deterministic.
 */
public final class TopK {
    /** Values, shape {@code [..., k]}. */
    public final float[] values;
    /** Indices into the last axis, shape {@code [..., k]}. */
    public final int[] indices;
    /** Shape of both results. */
    public final long[] shape;

    private TopK(float[] values, int[] indices, long[] shape) {
        this.values = values;
        this.indices = indices;
        this.shape = shape;
    }

    /**
     * Computes top-k over the last axis.
     *
     * @throws ServingException INVALID_ARGUMENT when the tensor is a scalar or k exceeds the last axis
     */
    public static TopK of(String name, float[] data, long[] shape, int k) {
        if (shape.length == 0) {
            throw ServingException.invalidArgument("top_k on output '" + name + "': it is a scalar, expected at "
                    + "least one axis");
        }
        int axis = (int) shape[shape.length - 1];
        if (k < 1 || k > axis) {
            throw ServingException.invalidArgument("top_k on output '" + name + "': k must be in [1, " + axis
                    + "] (its last axis), got " + k);
        }
        int rows = axis == 0 ? 0 : data.length / axis;
        float[] values = new float[rows * k];
        int[] indices = new int[rows * k];
        Integer[] order = new Integer[axis];
        for (int r = 0; r < rows; r++) {
            int base = r * axis;
            if (k <= 8) {
                selectSmallK(data, base, axis, k, values, indices, r * k);
            } else {
                for (int i = 0; i < axis; i++) {
                    order[i] = i;
                }
                Arrays.sort(order, (a, b) -> {
                    int c = Float.compare(data[base + b], data[base + a]);
                    return c != 0 ? c : Integer.compare(a, b);
                });
                for (int j = 0; j < k; j++) {
                    indices[r * k + j] = order[j];
                    values[r * k + j] = data[base + order[j]];
                }
            }
        }
        long[] outShape = shape.clone();
        outShape[outShape.length - 1] = k;
        return new TopK(values, indices, outShape);
    }

    /** Insertion into a short sorted list: O(axis * k), fast for the common small k. */
    private static void selectSmallK(float[] data, int base, int axis, int k, float[] values, int[] indices, int out) {
        int filled = 0;
        for (int i = 0; i < axis; i++) {
            float v = data[base + i];
            if (filled == k && Float.compare(v, values[out + k - 1]) <= 0) {
                continue;
            }
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && Float.compare(v, values[out + pos - 1]) > 0) {
                values[out + pos] = values[out + pos - 1];
                indices[out + pos] = indices[out + pos - 1];
                pos--;
            }
            values[out + pos] = v;
            indices[out + pos] = i;
        }
    }
}
