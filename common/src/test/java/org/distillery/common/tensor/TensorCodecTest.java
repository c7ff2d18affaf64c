package org.distillery.common.tensor;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorCodecTest {
    @Test
    void roundTripsEveryDtype() {
        float[] values = {0f, 1.5f, -2.25f, 3.14159f, 1e-3f, 60000f};
        long[] shape = {2, 3};
        assertArrayEquals(values, TensorCodec.decodeFloats("x", TensorCodec.encodeFloats(values, shape,
                DataType.FLOAT32)));
        float[] half = TensorCodec.decodeFloats("x", TensorCodec.encodeFloats(values, shape, DataType.FLOAT16));
        float[] bf = TensorCodec.decodeFloats("x", TensorCodec.encodeFloats(values, shape, DataType.BFLOAT16));
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i], half[i], Math.abs(values[i]) * 0x1p-11f);
            assertEquals(values[i], bf[i], Math.abs(values[i]) * 0x1p-8f);
        }
        long[] longs = {Long.MIN_VALUE, -1, 0, 7, Long.MAX_VALUE, 42};
        assertArrayEquals(longs, TensorCodec.decodeLongs("ids", TensorCodec.encodeLongs(longs, shape)));
        int[] ints = {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE, 42};
        assertArrayEquals(ints, TensorCodec.decodeInts("ids", TensorCodec.encodeInts(ints, shape)));
    }

    @Test
    void bytesAreLittleEndian() {
        Tensor t = TensorCodec.encodeLongs(new long[]{1}, new long[]{1});
        assertEquals(ByteString.copyFrom(new byte[]{1, 0, 0, 0, 0, 0, 0, 0}), t.getData());
        Tensor f = TensorCodec.encodeFloats(new float[]{1f}, new long[]{1}, DataType.FLOAT16);
        assertEquals(ByteString.copyFrom(new byte[]{0x00, 0x3c}), f.getData());
    }

    @Test
    void byteLengthMismatchNamesTensorAndBothSizes() {
        Tensor bad = Tensor.newBuilder().setDtype(DataType.FLOAT32).addShape(2).addShape(3)
                .setData(ByteString.copyFrom(new byte[20])).build();
        ServingException e = assertThrows(ServingException.class, () -> TensorCodec.decodeFloats("features", bad));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().contains("'features'") && e.getMessage().contains("24 bytes")
                && e.getMessage().contains("got 20"), e.getMessage());
    }

    @Test
    void negativeDimensionIsRejected() {
        ServingException e = assertThrows(ServingException.class,
                () -> TensorCodec.elementCount("ids", new long[]{2, -3}));
        assertTrue(e.getMessage().contains("'ids'") && e.getMessage().contains("-3"), e.getMessage());
    }

    @Test
    void wrongDtypeIsRejected() {
        Tensor floats = TensorCodec.encodeFloats(new float[]{1f}, new long[]{1}, DataType.FLOAT32);
        ServingException e = assertThrows(ServingException.class, () -> TensorCodec.decodeLongs("ids", floats));
        assertTrue(e.getMessage().contains("expected dtype INT64, got FLOAT32"), e.getMessage());
    }

    @Test
    void decodesTensorsWhoseBytesAreASliceOfALargerBuffer() {
        Tensor whole = TensorCodec.encodeFloats(new float[]{7f, 1.5f, -2f}, new long[]{3}, DataType.FLOAT16);
        Tensor sliced = whole.toBuilder().setData(whole.getData().substring(2)).clearShape().addShape(2).build();
        assertArrayEquals(new float[]{1.5f, -2f}, TensorCodec.decodeFloats("x", sliced));
        Tensor longs = TensorCodec.encodeLongs(new long[]{9, 8, 7}, new long[]{3});
        assertArrayEquals(new long[]{8, 7}, TensorCodec.decodeLongs("x", longs.toBuilder()
                .setData(longs.getData().substring(8)).clearShape().addShape(2).build()));
    }
}
