package org.distillery.teacher.server;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Opt-in periodic memory lines ({@code --log-memory-every-s}), one per period:
 * {@code teacher-server: memory: heap_used_mb=… heap_after_gc_mb=… heap_committed_mb=… rss_mb=…}.
 * {@code heap_after_gc_mb} is what the heap held after the last collection of each pool (the live set, roughly);
 * {@code rss_mb} is the process' resident set from {@code /proc/self/status} (-1 where there is no /proc).
 */
public final class MemoryLog implements AutoCloseable {
    /** What every memory line contains, for readers of the log. */
    public static final String MARKER = "memory: ";

    private final ScheduledExecutorService timer;

    private MemoryLog(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Starts printing a line to {@code out} now and then every {@code seconds}; the thread is a daemon. */
    public static MemoryLog start(PrintStream out, double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("--log-memory-every-s must be > 0, got " + seconds);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(TeacherServer.daemonThreads(
                "memory-log"));
        long periodMillis = Math.max(1, Math.round(seconds * 1000));
        timer.scheduleAtFixedRate(() -> {
            out.println("teacher-server: " + line());
            out.flush();
        }, 0, periodMillis, TimeUnit.MILLISECONDS);
        return new MemoryLog(timer);
    }

    /** One memory line, starting with {@link #MARKER}. */
    public static String line() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long afterGc = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            MemoryUsage collected = pool.getCollectionUsage();
            if (pool.getType() == MemoryType.HEAP && collected != null) {
                afterGc += collected.getUsed();
            }
        }
        return String.format(Locale.ROOT, MARKER + "heap_used_mb=%.1f heap_after_gc_mb=%.1f heap_committed_mb=%.1f "
                + "rss_mb=%.1f", mb(heap.getUsed()), mb(afterGc), mb(heap.getCommitted()), rssMb(Path.of("/proc/self"
                + "/status")));
    }

    /** VmRSS of a {@code /proc/PID/status} file in MiB, or -1 when it cannot be read. */
    public static double rssMb(Path procStatus) {
        try {
            for (String l : Files.readAllLines(procStatus, StandardCharsets.US_ASCII)) {
                if (l.startsWith("VmRSS:")) {
                    String[] parts = l.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0; // the kernel reports kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
