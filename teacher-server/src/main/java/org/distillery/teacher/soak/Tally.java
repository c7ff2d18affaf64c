package org.distillery.teacher.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the soak has seen, safe to update from every client thread: counts by kind, transport and outcome; the
 * unexpected ones with a few examples; good answers checked and wrong; latencies of good requests.
 */
public final class Tally {
    private static final int EXAMPLES_KEPT = 20;

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> unexpected = new ConcurrentHashMap<>();
    private final List<String> examples = new ArrayList<>();
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final LatencyHistogram goodUnary = new LatencyHistogram();
    private final LatencyHistogram goodStream = new LatencyHistogram();
    private final LatencyHistogram good = new LatencyHistogram();

    /** Counts one outcome; one outside the contract is also kept as unexpected with its description. */
    public void record(Kind kind, boolean unary, Outcome outcome, String description) {
        String key = key(kind, unary);
        counts.computeIfAbsent(key + " " + outcome.label(), k -> new LongAdder()).increment();
        if (!Expectations.isExpected(kind, outcome)) {
            unexpected.computeIfAbsent(key + " " + outcome.label(), k -> new LongAdder()).increment();
            example(key + " -> " + outcome.label() + (description == null ? "" : ": " + description));
        }
    }

    /** A good answer that was compared with its reference; {@code mismatch} is null when it was right. */
    public void checked(Kind kind, boolean unary, String mismatch) {
        checked.incrementAndGet();
        if (mismatch != null) {
            wrong.incrementAndGet();
            example(key(kind, unary) + " wrong answer: " + mismatch);
        }
    }

    /** Latency of a good request that was answered correctly. */
    public void goodLatency(boolean unary, long nanos) {
        (unary ? goodUnary : goodStream).record(nanos);
        good.record(nanos);
    }

    private synchronized void example(String text) {
        if (examples.size() < EXAMPLES_KEPT) {
            examples.add(text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
    }

    static String key(Kind kind, boolean unary) {
        return kind.label() + "/" + (unary ? "unary" : "stream");
    }

    /** Counts by {@code kind/transport outcome}, sorted. */
    public Map<String, Long> counts() {
        return snapshot(counts);
    }

    /** Unexpected counts by {@code kind/transport outcome}, sorted. */
    public Map<String, Long> unexpectedCounts() {
        return snapshot(unexpected);
    }

    /** All counted outcomes. */
    public long total() {
        return counts().values().stream().mapToLong(Long::longValue).sum();
    }

    public long unexpectedTotal() {
        return unexpectedCounts().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The first unexpected outcomes and wrong answers, described. */
    public synchronized List<String> examples() {
        return List.copyOf(examples);
    }

    public long checkedAnswers() {
        return checked.get();
    }

    public long wrongAnswers() {
        return wrong.get();
    }

    /** Percentile of good-request latency in ms: {@code which} is "all", "unary" or "stream". */
    public double goodPercentileMillis(String which, double p) {
        return (which.equals("unary") ? goodUnary : which.equals("stream") ? goodStream : good).percentileMillis(p);
    }

    private static Map<String, Long> snapshot(Map<String, LongAdder> map) {
        Map<String, Long> out = new TreeMap<>();
        map.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
