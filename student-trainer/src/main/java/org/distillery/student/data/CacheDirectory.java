package org.distillery.student.data;

import java.nio.file.Path;

/** Where downloaded corpora and built tokenizers are kept: {@code $XDG_CACHE_HOME/distillery} or ~/.cache. */
public final class CacheDirectory {
    private CacheDirectory() {
    }

    /** {@code chosen}, or the default when null. */
    public static Path or(Path chosen) {
        return chosen != null ? chosen : defaultPath();
    }

    public static Path defaultPath() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("distillery");
    }
}
