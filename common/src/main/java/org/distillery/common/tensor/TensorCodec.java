package org.distillery.common.tensor;

import com.google.protobuf.ByteString;
import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Encodes and decodes {@link Tensor} messages: dtype + shape + little-endian row-major bytes.
 * Decoding checks that the byte length matches the shape and names the tensor when it does not.
 */
public final class TensorCodec {
    private TensorCodec() {
    }

    /** Bytes per element of a wire dtype. */
    public static int elementSize(DataType dtype) {
        switch (dtype) {
            case FLOAT32:
            case INT32:
                return 4;
            case FLOAT16:
            case BFLOAT16:
                return 2;
            case INT64:
                return 8;
            default:
                throw new IllegalArgumentException("no element size for dtype " + dtype);
        }
    }

    /** True for FLOAT32, FLOAT16 and BFLOAT16. */
    public static boolean isFloat(DataType dtype) {
        return dtype == DataType.FLOAT32 || dtype == DataType.FLOAT16 || dtype == DataType.BFLOAT16;
    }

    /**
     * Number of elements of a shape, checking each dimension.
     *
     * @throws ServingException INVALID_ARGUMENT naming the tensor for a negative dimension or an overflowing count
     */
    public static long elementCount(String name, long[] shape) {
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw ServingException.invalidArgument("tensor '" + name + "': dimension " + i + " is " + shape[i]
                        + ", expected a size >= 0 (shape " + Arrays.toString(shape) + ")");
            }
            try {
                count = Math.multiplyExact(count, shape[i]);
            } catch (ArithmeticException e) {
                throw ServingException.invalidArgument("tensor '" + name + "': shape " + Arrays.toString(shape)
                        + " has more elements than a long can count");
            }
        }
        return count;
    }

    /** Shape of a tensor message as an array. */
    public static long[] shape(Tensor tensor) {
        long[] shape = new long[tensor.getShapeCount()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = tensor.getShape(i);
        }
        return shape;
    }

    /**
     * Checks that the byte length of a tensor equals its element count times its element size.
     *
     * @return the element count
     * @throws ServingException INVALID_ARGUMENT naming the tensor for a dtype with no element size, a bad shape or
     *                          a byte length that does not match
     */
    public static int checkByteLength(String name, Tensor tensor) {
        DataType dtype = tensor.getDtype();
        if (dtype == DataType.DATA_TYPE_UNSPECIFIED || dtype == DataType.UNRECOGNIZED) {
            throw ServingException.invalidArgument("tensor '" + name + "': dtype " + dtype + " ("
                    + tensor.getDtypeValue() + ") is not one of FLOAT32, FLOAT16, BFLOAT16, INT64, INT32");
        }
        long count = elementCount(name, shape(tensor));
        long expected;
        try {
            expected = Math.multiplyExact(count, elementSize(dtype));
        } catch (ArithmeticException e) {
            expected = Long.MAX_VALUE;
        }
        if (expected != tensor.getData().size()) {
            throw ServingException.invalidArgument("tensor '" + name + "': shape " + tensor.getShapeList() + " of "
                    + tensor.getDtype() + " needs " + (expected == Long.MAX_VALUE ? "more than 2^63" : expected)
                    + " bytes, got " + tensor.getData().size());
        }
        return (int) count; // a ByteString holds under 2^31 bytes, so the count fits
    }

    /** The data from index 0 (a sliced ByteString's buffer starts at its offset), little-endian. */
    private static ByteBuffer littleEndian(Tensor tensor) {
        return tensor.getData().asReadOnlyByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Decodes a FLOAT32, FLOAT16 or BFLOAT16 tensor to float32 values. */
    public static float[] decodeFloats(String name, Tensor tensor) {
        int count = checkByteLength(name, tensor);
        ByteBuffer buffer = littleEndian(tensor);
        float[] values = new float[count];
        switch (tensor.getDtype()) {
            case FLOAT32:
                buffer.asFloatBuffer().get(values);
                break;
            case FLOAT16:
                for (int i = 0; i < count; i++) {
                    values[i] = HalfFloats.halfToFloat(buffer.getShort(2 * i));
                }
                break;
            case BFLOAT16:
                for (int i = 0; i < count; i++) {
                    values[i] = HalfFloats.bfloat16ToFloat(buffer.getShort(2 * i));
                }
                break;
            default:
                throw ServingException.invalidArgument("tensor '" + name + "': expected a float dtype "
                        + "(FLOAT32, FLOAT16, BFLOAT16), got " + tensor.getDtype());
        }
        return values;
    }

    /** Decodes an INT64 tensor. */
    public static long[] decodeLongs(String name, Tensor tensor) {
        requireDtype(name, tensor, DataType.INT64);
        int count = checkByteLength(name, tensor);
        long[] values = new long[count];
        littleEndian(tensor).asLongBuffer().get(values);
        return values;
    }

    /** Decodes an INT32 tensor. */
    public static int[] decodeInts(String name, Tensor tensor) {
        requireDtype(name, tensor, DataType.INT32);
        int count = checkByteLength(name, tensor);
        int[] values = new int[count];
        littleEndian(tensor).asIntBuffer().get(values);
        return values;
    }

    private static void requireDtype(String name, Tensor tensor, DataType expected) {
        if (tensor.getDtype() != expected) {
            throw ServingException.invalidArgument("tensor '" + name + "': expected dtype " + expected + ", got "
                    + tensor.getDtype());
        }
    }

    /** Encodes float32 values as FLOAT32, FLOAT16 or BFLOAT16. */
    public static Tensor encodeFloats(float[] values, long[] shape, DataType dtype) {
        ByteBuffer buffer;
        switch (dtype) {
            case FLOAT32:
                buffer = allocate(values.length * 4);
                buffer.asFloatBuffer().put(values);
                break;
            case FLOAT16:
                buffer = allocate(values.length * 2);
                for (float v : values) {
                    buffer.putShort(HalfFloats.floatToHalf(v));
                }
                buffer.flip();
                break;
            case BFLOAT16:
                buffer = allocate(values.length * 2);
                for (float v : values) {
                    buffer.putShort(HalfFloats.floatToBfloat16(v));
                }
                buffer.flip();
                break;
            default:
                throw new IllegalArgumentException("float values cannot be encoded as " + dtype);
        }
        return build(dtype, shape, buffer);
    }

    /** Encodes INT64 values. */
    public static Tensor encodeLongs(long[] values, long[] shape) {
        ByteBuffer buffer = allocate(values.length * 8);
        buffer.asLongBuffer().put(values);
        return build(DataType.INT64, shape, buffer);
    }

    /** Encodes INT32 values. */
    public static Tensor encodeInts(int[] values, long[] shape) {
        ByteBuffer buffer = allocate(values.length * 4);
        buffer.asIntBuffer().put(values);
        return build(DataType.INT32, shape, buffer);
    }

    private static ByteBuffer allocate(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static Tensor build(DataType dtype, long[] shape, ByteBuffer buffer) {
        Tensor.Builder builder = Tensor.newBuilder().setDtype(dtype).setData(ByteString.copyFrom(buffer.array(),
                0, buffer.limit()));
        for (long d : shape) {
            builder.addShape(d);
        }
        return builder.build();
    }
}
