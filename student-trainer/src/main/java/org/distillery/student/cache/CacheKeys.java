package org.distillery.student.cache;

import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.CombineMode;
import org.distillery.student.client.TeacherRequestSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The keys of one run's cached answers. A key is {@code 'a'}, the first 8 bytes of the teacher's version (so one
 * version's entries lie together and can be pruned as a range), and 24 bytes of a SHA-256 over what else decides
 * the answer: the request's spec (model, outputs, wire dtype, top-k, combine mode and temperature), the ensemble
 * members that run, the example's token ids, token types and length without padding, and the augmentation seed.
 */
public final class CacheKeys {
    /** First byte of answer keys. */
    static final byte ANSWER = 'a';
    /** First byte of the entries that name a version. */
    static final byte VERSION = 'v';
    static final int PREFIX_BYTES = 8;
    static final int KEY_BYTES = 1 + PREFIX_BYTES + 24;

    private final String version;
    private final byte[] prefix;
    private final String spec;

    /**
     * @param version     the teacher's {@code ModelInfo.version}
     * @param combine     the combine mode the answers use (the ensemble's default; {@code COMBINE_DEFAULT} for a
     *                    single model)
     * @param temperature the combine temperature (0 when none is asked)
     * @param topK        top-k of the answers (0: dense)
     */
    public CacheKeys(String version, TeacherRequestSpec request, CombineMode combine, float temperature, int topK) {
        this.version = checkVersion(version);
        this.prefix = prefix(version);
        this.spec = "model=" + request.model() + "\u0000outputs=" + String.join(",", request.outputs())
                + "\u0000inputs=" + String.join(",", request.inputNames()) + "\u0000dtype=" + request.wireDtype()
                + "\u0000top_k=" + topK + "\u0000combine=" + combine + "\u0000temperature="
                + Float.floatToIntBits(temperature);
    }

    /** The teacher version these keys are under. */
    public String version() {
        return version;
    }

    /** A human-readable description of the request spec, for {@code cache stats}. */
    public String spec() {
        return spec.replace('\u0000', ' ');
    }

    /**
     * The key of row {@code row} of {@code tokens}, answered by {@code members}.
     *
     * @param augmentationSeed the seed of the example's augmentation, 0 when it has none
     */
    public byte[] key(TokenIds tokens, int row, List<String> members, long augmentationSeed) {
        MessageDigest digest = sha256();
        digest.update(spec.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        for (String m : members) {
            digest.update(m.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        int length = length(tokens, row);
        ByteBuffer ids = ByteBuffer.allocate(8 + 8 + length * 16).order(ByteOrder.LITTLE_ENDIAN);
        ids.putLong(augmentationSeed).putLong(length);
        int base = row * tokens.length();
        for (int i = 0; i < length; i++) {
            ids.putLong(tokens.inputIds()[base + i]);
            ids.putLong(tokens.tokenTypeIds()[base + i]);
        }
        digest.update(ids.array());
        byte[] hash = digest.digest();
        byte[] key = new byte[KEY_BYTES];
        key[0] = ANSWER;
        System.arraycopy(prefix, 0, key, 1, PREFIX_BYTES);
        System.arraycopy(hash, 0, key, 1 + PREFIX_BYTES, KEY_BYTES - 1 - PREFIX_BYTES);
        return key;
    }

    /** Tokens of the row before its padding (the attention mask's ones; the tokenizer pads at the end). */
    public static int length(TokenIds tokens, int row) {
        int length = 0;
        int base = row * tokens.length();
        for (int i = 0; i < tokens.length(); i++) {
            if (tokens.attentionMask()[base + i] != 0) {
                length = i + 1;
            }
        }
        return length;
    }

    /** The 8-byte prefix of a version's keys. */
    static byte[] prefix(String version) {
        return HexFormat.of().parseHex(checkVersion(version).substring(0, 2 * PREFIX_BYTES));
    }

    static String checkVersion(String version) {
        if (version == null || !version.matches("[0-9a-f]{16,64}")) {
            throw new IllegalArgumentException("a teacher version is 16 to 64 hex digits (ModelInfo.version); got '"
                    + version + "'" + (version == null || version.isEmpty()
                    ? " — the teacher server predates versions; update it to cache its answers" : ""));
        }
        return version;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
