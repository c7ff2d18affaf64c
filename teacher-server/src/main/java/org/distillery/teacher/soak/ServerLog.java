package org.distillery.teacher.soak;

import org.distillery.teacher.server.MemoryLog;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Follows the server's log file as it grows: keeps the latest {@code memory:} line's figures and the last lines
 * (for error messages). Reads only what was appended since the last call.
 */
final class ServerLog {
    private static final int TAIL_LINES = 5;

    private final Path file;
    private final Deque<String> tail = new ArrayDeque<>();
    private Map<String, Double> memory = Map.of();
    private long offset;
    private long outOfMemory;

    ServerLog(Path file) {
        this.file = file;
    }

    /** Reads what the server wrote since the last call. */
    synchronized void poll() {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            if (in.length() <= offset) {
                return;
            }
            byte[] bytes = new byte[(int) Math.min(in.length() - offset, 16 << 20)];
            in.seek(offset);
            in.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return; // no whole line yet
            }
            offset += text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
            for (String line : text.substring(0, end).split("\n")) {
                read(line);
            }
        } catch (IOException e) {
            // not there yet; the caller's checks say why the server is missing
        }
    }

    private void read(String line) {
        int at = line.indexOf(MemoryLog.MARKER);
        if (at >= 0) {
            Map<String, Double> figures = new HashMap<>();
            for (String pair : line.substring(at + MemoryLog.MARKER.length()).trim().split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    try {
                        figures.put(pair.substring(0, eq), Double.parseDouble(pair.substring(eq + 1)));
                    } catch (NumberFormatException ignored) {
                        // a figure this reader does not know how to read
                    }
                }
            }
            memory = figures;
            return;
        }
        if (line.contains("OutOfMemoryError")) {
            outOfMemory++;
        }
        if (!line.startsWith("\tat ") && !line.isBlank()) {
            tail.addLast(line);
            while (tail.size() > TAIL_LINES) {
                tail.removeFirst();
            }
        }
    }

    /** A figure of the latest memory line (e.g. {@code heap_used_mb}), or NaN before the first. */
    synchronized double memory(String key) {
        return memory.getOrDefault(key, Double.NaN);
    }

    /** Lines of the log that mention OutOfMemoryError. */
    synchronized long outOfMemoryLines() {
        return outOfMemory;
    }

    /** The last lines other than memory lines and stack frames, joined. */
    synchronized String tail() {
        poll();
        return tail.isEmpty() ? "(nothing in its log)" : String.join(" | ", tail);
    }
}
