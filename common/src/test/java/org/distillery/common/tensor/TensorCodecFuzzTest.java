package org.distillery.common.tensor;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes decoding of arbitrary tensor messages with {@link TensorCodec}: any dtype number, any shape, any bytes
 * (sometimes a slice of a larger buffer). Each decoder either returns one value per element or refuses with an
 * INVALID_ARGUMENT {@link ServingException}; nothing else may escape. What decodes must re-encode to the same bytes,
 * except that fp16/bf16 NaNs come back with their quiet bit set. Under plain {@code mvn test} the inputs in
 * {@code TensorCodecFuzzTestInputs/} are replayed; {@code bin/fuzz} fuzzes.
 */
class TensorCodecFuzzTest {
    @FuzzTest
    void decodesAnyTensorOrRefusesWithInvalidArgument(FuzzedDataProvider data) {
        Tensor.Builder builder = Tensor.newBuilder().setDtypeValue(data.consumeInt(-1, 7));
        int rank = data.consumeInt(0, 5);
        for (int i = 0; i < rank; i++) {
            builder.addShape(data.consumeBoolean() ? data.consumeLong(0, 16) : data.consumeLong());
        }
        int offset = data.consumeInt(0, 7);
        byte[] bytes = data.consumeRemainingAsBytes();
        ByteString payload = ByteString.copyFrom(new byte[offset]).concat(ByteString.copyFrom(bytes))
                .substring(offset); // a view into a larger buffer when offset > 0
        Tensor tensor = builder.setData(payload).build();

        float[] floats = decode(() -> TensorCodec.decodeFloats("t", tensor));
        long[] longs = decode(() -> TensorCodec.decodeLongs("t", tensor));
        int[] ints = decode(() -> TensorCodec.decodeInts("t", tensor));
        long[] shape = TensorCodec.shape(tensor);
        if (floats != null) {
            assertEquals(TensorCodec.elementCount("t", shape), floats.length);
            checkReencoded(tensor, TensorCodec.encodeFloats(floats, shape, tensor.getDtype()));
        }
        if (longs != null) {
            assertEquals(TensorCodec.elementCount("t", shape), longs.length);
            assertEquals(tensor.getData(), TensorCodec.encodeLongs(longs, shape).getData());
        }
        if (ints != null) {
            assertEquals(TensorCodec.elementCount("t", shape), ints.length);
            assertEquals(tensor.getData(), TensorCodec.encodeInts(ints, shape).getData());
        }
    }

    private interface Decoder<T> {
        T decode();
    }

    /** The decoded values, or null when the decoder refused with INVALID_ARGUMENT. */
    private static <T> T decode(Decoder<T> decoder) {
        try {
            return decoder.decode();
        } catch (ServingException e) {
            if (e.code() != Status.Code.INVALID_ARGUMENT) {
                fail("refused with " + e.code() + " instead of INVALID_ARGUMENT: " + e.getMessage(), e);
            }
            return null;
        }
    }

    /** Same dtype, shape and bytes, element by element; a 16-bit NaN may only gain its quiet bit. */
    private static void checkReencoded(Tensor original, Tensor encoded) {
        assertEquals(original.getDtype(), encoded.getDtype());
        assertEquals(original.getShapeList(), encoded.getShapeList());
        ByteBuffer before = original.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer after = encoded.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(before.remaining(), after.remaining(), "re-encoded byte length");
        DataType dtype = original.getDtype();
        if (dtype == DataType.FLOAT32) {
            for (int i = 0; i < before.remaining(); i += 4) {
                assertEquals(before.getInt(before.position() + i), after.getInt(after.position() + i),
                        "float32 element " + i / 4);
            }
            return;
        }
        int quiet = dtype == DataType.FLOAT16 ? 0x200 : 0x40;
        int exponentMask = dtype == DataType.FLOAT16 ? 0x7c00 : 0x7f80;
        for (int i = 0; i < before.remaining(); i += 2) {
            int was = before.getShort(before.position() + i) & 0xffff;
            int now = after.getShort(after.position() + i) & 0xffff;
            boolean nan = (was & exponentMask) == exponentMask && (was & ~exponentMask & 0x7fff) != 0;
            assertEquals(nan ? was | quiet : was, now, dtype + " element " + i / 2 + ": " + Integer.toHexString(was)
                    + " came back as " + Integer.toHexString(now));
        }
    }
}
