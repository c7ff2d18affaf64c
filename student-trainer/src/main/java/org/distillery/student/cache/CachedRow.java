package org.distillery.student.cache;

import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.Tensor;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The teacher's answer for one example as the cache stores it: the logits row and each feature row in the wire
 * dtype they arrived in (so a cached value decodes to exactly the floats the live answer decoded to), the ensemble
 * members that ran, and a CRC-32C of everything before it. A value whose checksum or layout does not match is
 * reported as {@link Corrupt}, never decoded into numbers.
 *
 * @param dtype    wire dtype of the values
 * @param logits   the logits row
 * @param features feature rows by output name, in request order
 * @param members  ensemble members that ran
 */
public record CachedRow(DataType dtype, float[] logits, Map<String, float[]> features, List<String> members) {
    private static final int MAGIC = 0x44434131; // "DCA1"

    /** A stored value that cannot be trusted: wrong checksum, truncated or of another layout. */
    public static final class Corrupt extends Exception {
        Corrupt(String message) {
            super(message);
        }
    }

    /** The stored bytes. */
    public byte[] encode() {
        List<byte[]> parts = new ArrayList<>();
        parts.add(values(logits));
        List<byte[]> names = new ArrayList<>();
        features.forEach((name, row) -> {
            names.add(name.getBytes(StandardCharsets.UTF_8));
            parts.add(values(row));
        });
        List<byte[]> memberNames = members.stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toList();
        int size = 4 + 1 + 4 + 2 + 2 + 4;
        for (byte[] n : names) {
            size += 2 + n.length + 4;
        }
        for (byte[] m : memberNames) {
            size += 2 + m.length;
        }
        for (byte[] p : parts) {
            size += p.length;
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).put((byte) dtype.getNumber()).putInt(logits.length);
        out.putShort((short) names.size());
        int i = 0;
        for (float[] row : features.values()) {
            byte[] n = names.get(i++);
            out.putShort((short) n.length).put(n).putInt(row.length);
        }
        out.putShort((short) memberNames.size());
        for (byte[] m : memberNames) {
            out.putShort((short) m.length).put(m);
        }
        parts.forEach(out::put);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    /**
     * Reads stored bytes.
     *
     * @throws Corrupt when the checksum, the magic number or the layout is wrong
     */
    public static CachedRow decode(byte[] bytes) throws Corrupt {
        if (bytes.length < 4 + 1 + 4 + 2 + 2 + 4) {
            throw new Corrupt("value of " + bytes.length + " bytes is shorter than any cached row");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if ((int) crc.getValue() != in.getInt(bytes.length - 4)) {
            throw new Corrupt("checksum mismatch");
        }
        try {
            if (in.getInt() != MAGIC) {
                throw new Corrupt("not a cached teacher row (magic number)");
            }
            DataType dtype = DataType.forNumber(in.get());
            if (dtype == null || !TensorCodec.isFloat(dtype)) {
                throw new Corrupt("unknown value dtype");
            }
            int labels = in.getInt();
            int featureCount = in.getShort();
            List<String> names = new ArrayList<>();
            List<Integer> widths = new ArrayList<>();
            for (int i = 0; i < featureCount; i++) {
                names.add(string(in));
                widths.add(in.getInt());
            }
            int memberCount = in.getShort();
            List<String> members = new ArrayList<>();
            for (int i = 0; i < memberCount; i++) {
                members.add(string(in));
            }
            float[] logits = floats(in, dtype, labels);
            Map<String, float[]> features = new LinkedHashMap<>();
            for (int i = 0; i < featureCount; i++) {
                features.put(names.get(i), floats(in, dtype, widths.get(i)));
            }
            if (in.remaining() != 4) {
                throw new Corrupt("value has " + (in.remaining() - 4) + " bytes more than its layout");
            }
            return new CachedRow(dtype, logits, features, List.copyOf(members));
        } catch (BufferUnderflowException | IllegalArgumentException | NegativeArraySizeException e) {
            throw new Corrupt("value shorter than its layout says");
        }
    }

    private byte[] values(float[] row) {
        return TensorCodec.encodeFloats(row, new long[]{row.length}, dtype).getData().toByteArray();
    }

    private static float[] floats(ByteBuffer in, DataType dtype, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative count");
        }
        byte[] data = new byte[count * TensorCodec.elementSize(dtype)];
        in.get(data);
        Tensor t = Tensor.newBuilder().setDtype(dtype).addShape(count)
                .setData(com.google.protobuf.ByteString.copyFrom(data)).build();
        return TensorCodec.decodeFloats("cached row", t);
    }

    private static String string(ByteBuffer in) {
        int length = in.getShort();
        if (length < 0) {
            throw new IllegalArgumentException("negative length");
        }
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
