package org.distillery.teacher.runtime;

import java.util.Arrays;

/**
 * A dense row-major tensor in Java memory: an element type, a shape and a primitive array
 * ({@code float[]}, {@code long[]} or {@code int[]}).
 */
public final class HostTensor {
    private final ElementType type;
    private final long[] shape;
    private final Object data;

    private HostTensor(ElementType type, long[] shape, Object data) {
        this.type = type;
        this.shape = shape;
        this.data = data;
    }

    public static HostTensor ofFloats(float[] data, long... shape) {
        return new HostTensor(ElementType.FLOAT, shape, data);
    }

    public static HostTensor ofLongs(long[] data, long... shape) {
        return new HostTensor(ElementType.INT64, shape, data);
    }

    public static HostTensor ofInts(int[] data, long... shape) {
        return new HostTensor(ElementType.INT32, shape, data);
    }

    /** A tensor of the given type and shape filled with a value. */
    public static HostTensor filled(ElementType type, long[] shape, long value) {
        int n = Math.toIntExact(count(shape));
        switch (type) {
            case FLOAT: {
                float[] a = new float[n];
                Arrays.fill(a, value);
                return ofFloats(a, shape);
            }
            case INT64: {
                long[] a = new long[n];
                Arrays.fill(a, value);
                return ofLongs(a, shape);
            }
            default: {
                int[] a = new int[n];
                Arrays.fill(a, (int) value);
                return ofInts(a, shape);
            }
        }
    }

    public ElementType type() {
        return type;
    }

    /** The shape (not copied: treat as read-only). */
    public long[] shape() {
        return shape;
    }

    /** Size of axis 0. */
    public int batch() {
        return (int) shape[0];
    }

    public Object data() {
        return data;
    }

    public float[] floats() {
        return (float[]) data;
    }

    public long[] longs() {
        return (long[]) data;
    }

    public int[] ints() {
        return (int[]) data;
    }

    public int size() {
        return Math.toIntExact(count(shape));
    }

    static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
