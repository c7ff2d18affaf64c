package org.distillery.student.cache;

import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.DataType;
import org.distillery.student.client.TeacherRequestSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store itself: values round-trip, damaged values never come back, keys, stats, pruning, locking, kill -9. */
@Timeout(120)
class TeacherCacheTest {
    static final String V1 = "0123456789abcdef0123456789abcdef";
    static final String V2 = "fedcba9876543210fedcba9876543210";

    @TempDir
    Path dir;

    static CacheKeys keys(String version, DataType dtype) {
        return new CacheKeys(version, new TeacherRequestSpec("t", TeacherRequestSpec.TOKENIZER_INPUTS, "logits",
                List.of("pooled_output"), dtype), CombineMode.COMBINE_DEFAULT, 0f, 0);
    }

    /** Two rows: [5, 6, 7] and [5, 8] padded to 3 (pad 0). */
    static TokenIds tokens() {
        return new TokenIds(new long[]{5, 6, 7, 5, 8, 0}, new long[]{1, 1, 1, 1, 1, 0}, new long[6], 2, 3);
    }

    /** A row whose values every wire dtype holds exactly (as values that came over the wire are). */
    static CachedRow row(DataType dtype, float seed) {
        Map<String, float[]> features = new LinkedHashMap<>();
        features.put("pooled_output", new float[]{seed, -seed, 0.5f, 0x1p-10f});
        return new CachedRow(dtype, new float[]{seed, 2 * seed, -3.25f}, features, List.of("t"));
    }

    @Test
    void valuesDecodeToTheFloatsTheyHeldInEveryWireDtype() throws Exception {
        for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16)) {
            CachedRow row = row(dtype, 1.5f);
            CachedRow back = CachedRow.decode(row.encode());
            assertArrayEquals(row.logits(), back.logits(), dtype.name());
            assertArrayEquals(row.features().get("pooled_output"), back.features().get("pooled_output"));
            assertEquals(List.of("t"), back.members());
            assertEquals(dtype, back.dtype());
        }
        assertEquals((3 + 4) * 2 + 39, row(DataType.FLOAT16, 1).encode().length, "fp16 values, 2 bytes each");
    }

    @Test
    void everyDamagedValueIsRefused() {
        byte[] good = row(DataType.FLOAT16, 2f).encode();
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            int at = i;
            assertThrows(CachedRow.Corrupt.class, () -> CachedRow.decode(bad), "byte " + at + " flipped");
        }
        for (int length = 0; length < good.length; length++) {
            byte[] torn = java.util.Arrays.copyOf(good, length);
            assertThrows(CachedRow.Corrupt.class, () -> CachedRow.decode(torn), "torn at " + length);
        }
    }

    @Test
    void keysDependOnWhatDecidesTheAnswerAndNotOnPadding() {
        CacheKeys k = keys(V1, DataType.FLOAT16);
        TokenIds t = tokens();
        byte[] a = k.key(t, 0, List.of("t"), 0);
        assertEquals(CacheKeys.KEY_BYTES, a.length);
        assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(k.key(t, 1, List.of("t"), 0)));
        // Row 1 alone, without the padding the batch gave it, has the same key.
        TokenIds alone = new TokenIds(new long[]{5, 8}, new long[]{1, 1}, new long[2], 1, 2);
        assertArrayEquals(k.key(t, 1, List.of("t"), 0), k.key(alone, 0, List.of("t"), 0));
        for (byte[] other : List.of(k.key(t, 0, List.of("u"), 0), k.key(t, 0, List.of("t"), 7),
                keys(V1, DataType.FLOAT32).key(t, 0, List.of("t"), 0), keys(V2, DataType.FLOAT16).key(t, 0,
                        List.of("t"), 0), new CacheKeys(V1, new TeacherRequestSpec("t",
                        TeacherRequestSpec.TOKENIZER_INPUTS, "logits", List.of("pooled_output"), DataType.FLOAT16),
                        CombineMode.MEAN_PROBS, 2f, 0).key(t, 0, List.of("t"), 0))) {
            assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(other));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keys("", DataType.FLOAT16));
        assertTrue(e.getMessage().contains("predates versions"), e.getMessage());
    }

    @Test
    void aDamagedEntryIsDroppedAndReadAsAMiss() {
        CacheKeys k = keys(V1, DataType.FLOAT16);
        byte[] key = k.key(tokens(), 0, List.of("t"), 0);
        try (TeacherCache cache = TeacherCache.open(dir.resolve("c"))) {
            cache.write(key, row(DataType.FLOAT16, 1f));
            assertNotNull(cache.read(key));
            byte[] bad = row(DataType.FLOAT16, 1f).encode();
            bad[12] ^= 1;
            cache.put(key, bad);
            assertNull(cache.read(key), "a damaged value is never returned");
            assertEquals(1, cache.corruptEntries());
            assertNull(cache.read(key), "and it is gone");
            assertEquals(1, cache.corruptEntries());
        }
    }

    @Test
    void statsCountPerVersionAndPruneKeepsOne() {
        try (TeacherCache cache = TeacherCache.open(dir.resolve("c"))) {
            CacheKeys k1 = keys(V1, DataType.FLOAT16);
            CacheKeys k2 = keys(V2, DataType.FLOAT16);
            cache.register(k1, "t");
            cache.register(k2, "t");
            cache.write(k1.key(tokens(), 0, List.of("t"), 0), row(DataType.FLOAT16, 1));
            cache.write(k1.key(tokens(), 1, List.of("t"), 0), row(DataType.FLOAT16, 2));
            cache.write(k2.key(tokens(), 0, List.of("t"), 0), row(DataType.FLOAT16, 3));
            CacheStats stats = cache.stats();
            assertEquals(2, stats.versions().get(V1).entries());
            assertEquals(1, stats.versions().get(V2).entries());
            assertEquals(3, stats.entries());

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> cache.prune("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
            assertTrue(e.getMessage().contains("nothing deleted"), e.getMessage());
            assertEquals(3, cache.stats().entries());

            assertEquals(1, cache.prune(V1));
            assertEquals(Map.of(V1, new CacheStats.Version(V1, 2, stats.versions().get(V1).bytes())),
                    cache.stats().versions());
            assertNotNull(cache.read(k1.key(tokens(), 1, List.of("t"), 0)));
            assertNull(cache.read(k2.key(tokens(), 0, List.of("t"), 0)));
        }
    }

    @Test
    void oneProcessAtATimeAndAFileIsNoCache() throws Exception {
        try (TeacherCache cache = TeacherCache.open(dir.resolve("c"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TeacherCache.open(dir.resolve("c")));
            assertTrue(e.getMessage().contains("in use by another process"), e.getMessage());
        }
        Path file = Files.writeString(dir.resolve("f"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TeacherCache.open(file));
        assertTrue(e.getMessage().contains("must be a directory"), e.getMessage());
    }

    /** Fills a cache until killed: {@code CacheFiller DIR}. */
    public static final class CacheFiller {
        public static void main(String[] args) {
            CacheKeys k = keys(V1, DataType.FLOAT16);
            try (TeacherCache cache = TeacherCache.open(Path.of(args[0]))) {
                System.out.println("filling");
                System.out.flush();
                for (long i = 0; ; i++) {
                    TokenIds t = new TokenIds(new long[]{i, i + 1}, new long[]{1, 1}, new long[2], 1, 2);
                    cache.write(k.key(t, 0, List.of("t"), 0), row(DataType.FLOAT16, i % 1000));
                }
            }
        }
    }

    @Test
    void aFillKilledWithSigkillLeavesOnlyWholeEntries() throws Exception {
        Path c = dir.resolve("c");
        Process filler = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CacheFiller.class.getName(), c.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("filler.log").toFile()).start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < until && !Files.readString(dir.resolve("filler.log")).contains("filling")) {
                Thread.sleep(50);
            }
            Thread.sleep(1500);
            assertTrue(filler.isAlive(), "the filler runs: " + Files.readString(dir.resolve("filler.log")));
            new ProcessBuilder("kill", "-9", Long.toString(filler.pid())).start().waitFor(10, TimeUnit.SECONDS);
            assertTrue(filler.waitFor(30, TimeUnit.SECONDS));
        } finally {
            filler.destroyForcibly();
        }
        assertNotEquals(0, filler.exitValue());
        long entries = 0;
        try (TeacherCache cache = TeacherCache.open(c)) {
            CacheKeys k = keys(V1, DataType.FLOAT16);
            for (long i = 0; ; i++) {
                TokenIds t = new TokenIds(new long[]{i, i + 1}, new long[]{1, 1}, new long[2], 1, 2);
                CachedRow r = cache.read(k.key(t, 0, List.of("t"), 0));
                if (r == null) {
                    break;
                }
                assertEquals(i % 1000, r.logits()[0], "entry " + i);
                entries++;
            }
            assertTrue(entries > 100, "the filler wrote entries before it was killed: " + entries);
            assertEquals(entries, cache.stats().entries(), "every stored entry is whole and in order");
            assertEquals(0, cache.corruptEntries());
        }
        assertTrue(new File(c.toFile(), "CURRENT").isFile());
    }
}
