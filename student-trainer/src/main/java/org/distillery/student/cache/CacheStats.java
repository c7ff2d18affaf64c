package org.distillery.student.cache;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a teacher cache holds.
 *
 * @param dir      the cache directory
 * @param versions entries per teacher version
 */
public record CacheStats(Path dir, Map<String, Version> versions) {
    /**
     * The entries of one teacher version.
     *
     * @param version the teacher's version
     * @param entries cached examples
     * @param bytes   bytes of keys and values (before compression)
     */
    public record Version(String version, long entries, long bytes) {
    }

    /** Entries over every version. */
    public long entries() {
        return versions.values().stream().mapToLong(Version::entries).sum();
    }
}
