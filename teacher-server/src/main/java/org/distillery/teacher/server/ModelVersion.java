package org.distillery.teacher.server;

import org.distillery.proto.v1.CombineMode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Fingerprints of what decides a teacher's outputs, reported as {@code ModelInfo.version}: 32 hex digits (the first
 * 128 bits of a SHA-256). A model's covers its ONNX bytes, its tokenizer file and the padding and truncation it
 * serves with; an ensemble's covers its default combine mode and its members' versions in order. Names do not count:
 * the same file served under another name has the same version.
 */
public final class ModelVersion {
    private static final int HEX_DIGITS = 32;

    private ModelVersion() {
    }

    /**
     * The version of one model.
     *
     * @param tokenizer tokenizer.json, or null
     * @param maxLength truncation length of the tokenizer (ignored without one)
     */
    public static String ofModel(Path onnx, Path tokenizer, long padId, int maxLength) throws IOException {
        MessageDigest digest = sha256();
        field(digest, "model");
        file(digest, onnx);
        field(digest, "pad_id=" + padId);
        if (tokenizer != null) {
            field(digest, "tokenizer");
            file(digest, tokenizer);
            field(digest, "max_length=" + maxLength);
        }
        return hex(digest);
    }

    /** The version of an ensemble of members with these versions, in order. */
    public static String ofEnsemble(CombineMode defaultCombine, List<String> memberVersions) {
        MessageDigest digest = sha256();
        field(digest, "ensemble");
        field(digest, "combine=" + defaultCombine.name());
        memberVersions.forEach(v -> field(digest, "member=" + v));
        return hex(digest);
    }

    private static void file(MessageDigest digest, Path path) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long size = 0;
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                size += n;
            }
        }
        field(digest, "bytes=" + size);
    }

    /** A length-prefixed field, so that no two different sequences of fields hash alike. */
    private static void field(MessageDigest digest, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        digest.update(new byte[]{(byte) (bytes.length >>> 24), (byte) (bytes.length >>> 16),
                (byte) (bytes.length >>> 8), (byte) bytes.length});
        digest.update(bytes);
    }

    private static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest()).substring(0, HEX_DIGITS);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
