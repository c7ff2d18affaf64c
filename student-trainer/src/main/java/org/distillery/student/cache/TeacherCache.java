package org.distillery.student.cache;

import org.distillery.common.io.Json;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Teacher answers on local disk, one entry per example (see {@link CacheKeys}), in RocksDB: embedded, no JVM flags,
 * crash-safe through its write-ahead log (a process killed mid-fill loses at most the writes not yet logged, never
 * a half-written value), and good for tens of gigabytes. Each value carries its own checksum ({@link CachedRow}):
 * a value that fails it is deleted and reported as a miss, so a damaged entry is asked of the teacher again instead
 * of reaching training. One process at a time holds a cache directory.
 */
public final class TeacherCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TeacherCache.class.getName());

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final Options options;
    private final RocksDB db;
    private final AtomicLong corrupt = new AtomicLong();

    private TeacherCache(Path dir, Options options, RocksDB db) {
        this.dir = dir;
        this.options = options;
        this.db = db;
    }

    /**
     * Opens the cache in {@code dir}, creating it when missing.
     *
     * @throws IllegalArgumentException when the directory cannot hold a cache or another process holds it
     */
    public static TeacherCache open(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--teacher-cache must be a directory; " + dir + " is a file");
        }
        Options options = new Options().setCreateIfMissing(true).setCompressionType(CompressionType.LZ4_COMPRESSION);
        try {
            Files.createDirectories(dir);
            return new TeacherCache(dir, options, RocksDB.open(options, dir.toString()));
        } catch (RocksDBException e) {
            options.close();
            String why = String.valueOf(e.getMessage());
            if (why.contains("lock")) {
                throw new IllegalArgumentException("the teacher cache " + dir + " is in use by another process (one "
                        + "process at a time; give this run another --teacher-cache directory or wait): " + why, e);
            }
            throw new IllegalArgumentException("cannot open the teacher cache " + dir + ": " + why, e);
        } catch (java.io.IOException e) {
            options.close();
            throw new IllegalArgumentException("cannot create the teacher cache " + dir + ": " + e, e);
        }
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** The row stored under {@code key}, or null when there is none or it failed its checksum (then it is gone). */
    public CachedRow read(byte[] key) {
        byte[] value;
        try {
            value = db.get(key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("teacher cache " + dir + ": read failed: " + e.getMessage(), e);
        }
        if (value == null) {
            return null;
        }
        try {
            return CachedRow.decode(value);
        } catch (CachedRow.Corrupt e) {
            corrupt.incrementAndGet();
            LOG.warning("teacher cache " + dir + ": entry " + HexFormat.of().formatHex(key) + " is damaged ("
                    + e.getMessage() + "); it is dropped and asked of the teacher again");
            delete(key);
            return null;
        }
    }

    /** Stores a row. */
    public void write(byte[] key, CachedRow row) {
        put(key, row.encode());
    }

    /** Damaged entries found (and dropped) since this cache was opened. */
    public long corruptEntries() {
        return corrupt.get();
    }

    /** Records which version and request spec the entries under {@code keys} belong to, for stats and pruning. */
    public void register(CacheKeys keys, String model) {
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("version", keys.version());
        about.put("model", model);
        about.put("spec", keys.spec());
        about.put("registered", Instant.now().toString());
        byte[] key = versionKey(CacheKeys.prefix(keys.version()));
        try {
            if (db.get(key) == null) {
                put(key, Json.LINE.toJson(about).getBytes(StandardCharsets.UTF_8));
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("teacher cache " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Entries and value bytes per teacher version (versions never registered show as their key prefix). */
    public CacheStats stats() {
        Map<String, String> names = versions();
        Map<String, long[]> counts = new TreeMap<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(new byte[]{CacheKeys.ANSWER}); it.isValid() && it.key()[0] == CacheKeys.ANSWER; it.next()) {
                String prefix = HexFormat.of().formatHex(it.key(), 1, 1 + CacheKeys.PREFIX_BYTES);
                long[] c = counts.computeIfAbsent(names.getOrDefault(prefix, prefix + "…"), k -> new long[2]);
                c[0]++;
                c[1] += it.key().length + it.value().length;
            }
        }
        Map<String, CacheStats.Version> versions = new LinkedHashMap<>();
        counts.forEach((v, c) -> versions.put(v, new CacheStats.Version(v, c[0], c[1])));
        return new CacheStats(dir, versions);
    }

    /**
     * Deletes every entry of every version but {@code keepVersion} and compacts the store.
     *
     * @return entries deleted
     * @throws IllegalArgumentException when the cache holds no entry of {@code keepVersion} (a typo would otherwise
     *                                  empty it)
     */
    public long prune(String keepVersion) {
        byte[] keep = CacheKeys.prefix(keepVersion);
        CacheStats before = stats();
        if (before.versions().keySet().stream().noneMatch(v -> v.startsWith(keepVersion.substring(0, 16)))) {
            throw new IllegalArgumentException("the teacher cache " + dir + " holds no entry of version " + keepVersion
                    + "; it holds " + before.versions().keySet() + " (nothing deleted)");
        }
        long deleted = 0;
        try {
            for (CacheStats.Version v : before.versions().values()) {
                byte[] prefix = HexFormat.of().parseHex(v.version().replace("…", "").substring(0, 16));
                if (Arrays.equals(prefix, keep)) {
                    continue;
                }
                byte[] from = new byte[1 + CacheKeys.PREFIX_BYTES];
                from[0] = CacheKeys.ANSWER;
                System.arraycopy(prefix, 0, from, 1, CacheKeys.PREFIX_BYTES);
                db.deleteRange(from, next(from));
                db.delete(versionKey(prefix));
                deleted += v.entries();
            }
            db.compactRange();
        } catch (RocksDBException e) {
            throw new IllegalStateException("teacher cache " + dir + ": prune failed: " + e.getMessage(), e);
        }
        return deleted;
    }

    /** Registered versions by their key prefix in hex. */
    private Map<String, String> versions() {
        Map<String, String> names = new LinkedHashMap<>();
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(new byte[]{CacheKeys.VERSION}); it.isValid() && it.key()[0] == CacheKeys.VERSION; it.next()) {
                Map<?, ?> about = Json.LINE.fromJson(new String(it.value(), StandardCharsets.UTF_8), Map.class);
                names.put(HexFormat.of().formatHex(it.key(), 1, it.key().length), String.valueOf(about.get("version")));
            }
        }
        return names;
    }

    private static byte[] versionKey(byte[] prefix) {
        byte[] key = new byte[1 + prefix.length];
        key[0] = CacheKeys.VERSION;
        System.arraycopy(prefix, 0, key, 1, prefix.length);
        return key;
    }

    /** The smallest key greater than every key starting with {@code prefix}. */
    private static byte[] next(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (++end[i] != 0) {
                return end;
            }
        }
        throw new IllegalArgumentException("no key follows an all-0xff prefix");
    }

    /** Writes raw bytes; also how tests damage an entry. */
    void put(byte[] key, byte[] value) {
        try {
            db.put(key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("teacher cache " + dir + ": write failed (disk full?): "
                    + e.getMessage(), e);
        }
    }

    private void delete(byte[] key) {
        try {
            db.delete(key);
        } catch (RocksDBException e) {
            LOG.warning("teacher cache " + dir + ": cannot drop a damaged entry: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        db.close();
        options.close();
    }
}
