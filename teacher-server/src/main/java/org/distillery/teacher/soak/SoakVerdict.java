package org.distillery.teacher.soak;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pass criteria and what they are judged on: no unexpected outcome, no wrong answer, at least one good answer,
 * no crash and no OutOfMemoryError in the server, and a final RSS at most {@link SoakConfig#RSS_GROWTH_LIMIT} times
 * the RSS at the end of warm-up. Fed by the runner as the run goes.
 */
final class SoakVerdict {
    private final SoakConfig config;
    private final Tally tally;
    private final List<SoakSummary.MemoryPoint> memory = new ArrayList<>();
    private final List<String> setupFailures = new ArrayList<>();
    private double baseline = Double.NaN;
    private double finalRss = Double.NaN;
    private double peak = Double.NaN;
    private double lastRss = Double.NaN;
    private double heapUsed = Double.NaN;
    private double heapAfterGc = Double.NaN;
    private Integer exitCode;
    private String exitLog;
    private long outOfMemoryLines;
    private long pid = -1;

    SoakVerdict(SoakConfig config, Tally tally) {
        this.config = config;
        this.tally = tally;
    }

    /** A run that never got to drive the server. */
    static SoakVerdict notRun(SoakConfig config, Tally tally, String why) {
        SoakVerdict v = new SoakVerdict(config, tally);
        v.setupFailures.add(why);
        return v;
    }

    Tally tally() {
        return tally;
    }

    /** A sample of the server's RSS; the first one after warm-up is the baseline. */
    void rss(double mb, boolean warm) {
        lastRss = mb;
        if (mb > 0) {
            peak = Double.isNaN(peak) ? mb : Math.max(peak, mb);
        }
        if (warm && Double.isNaN(baseline)) {
            baseline = mb;
        }
    }

    void finalRss(double mb) {
        finalRss = mb;
        rss(mb, true);
    }

    /** Records the server's memory now (RSS as last sampled, heap from its latest memory line). */
    void memoryPoint(double t, ServerLog log) {
        heapUsed = log.memory("heap_used_mb");
        heapAfterGc = log.memory("heap_after_gc_mb");
        memory.add(new SoakSummary.MemoryPoint(Math.round(t * 10) / 10.0, lastRss, heapUsed, heapAfterGc));
    }

    void serverLog(ServerLog log, long serverPid) {
        outOfMemoryLines = log.outOfMemoryLines();
        heapUsed = log.memory("heap_used_mb");
        heapAfterGc = log.memory("heap_after_gc_mb");
        pid = serverPid;
    }

    void serverExited(Integer code, String logTail) {
        exitCode = code == null ? -1 : code;
        exitLog = logTail.length() > 400 ? "…" + logTail.substring(logTail.length() - 400) : logTail;
    }

    boolean exited() {
        return exitCode != null;
    }

    double lastRss() {
        return lastRss;
    }

    double lastHeapUsed() {
        return heapUsed;
    }

    double lastHeapAfterGc() {
        return heapAfterGc;
    }

    double ratio() {
        return finalRss / baseline;
    }

    List<String> failures() {
        List<String> failures = new ArrayList<>(setupFailures);
        if (!setupFailures.isEmpty()) {
            return failures;
        }
        if (exitCode != null) {
            failures.add("the server exited with code " + exitCode + " during the run: " + exitLog);
        }
        if (outOfMemoryLines > 0) {
            failures.add("the server logged OutOfMemoryError " + outOfMemoryLines + " time(s)");
        }
        long unexpected = tally.unexpectedTotal();
        if (unexpected > 0) {
            StringBuilder which = new StringBuilder();
            tally.unexpectedCounts().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .limit(6).forEach(e -> which.append(which.length() == 0 ? "" : ", ").append(e.getKey())
                            .append(" x").append(e.getValue()));
            failures.add(unexpected + " unexpected outcome(s): " + which);
        }
        if (tally.wrongAnswers() > 0) {
            failures.add(tally.wrongAnswers() + " of " + tally.checkedAnswers() + " good answers differed from the "
                    + "reference by more than " + References.TOLERANCE);
        }
        if (tally.checkedAnswers() == 0) {
            failures.add("no good answer came back to check");
        }
        if (exitCode == null) {
            if (!(baseline > 0) || !(finalRss > 0)) {
                failures.add("the server's RSS could not be read from /proc/" + pid + "/status (Linux only)");
            } else if (ratio() > SoakConfig.RSS_GROWTH_LIMIT) {
                failures.add(String.format(Locale.ROOT, "server RSS grew from %.1f MB after warm-up to %.1f MB "
                        + "(x%.3f, limit x%.1f)", baseline, finalRss, ratio(), SoakConfig.RSS_GROWTH_LIMIT));
            }
        }
        return failures;
    }

    boolean passed() {
        return failures().isEmpty();
    }

    /** The summary; {@code serverLog} names the kept log of a failed run. */
    SoakSummary summary(String serverLog) {
        List<String> failures = failures();
        String verdict = failures.isEmpty()
                ? String.format(Locale.ROOT, "soak: passed: %d outcomes in %.0f s from %d clients, 0 unexpected, "
                        + "%d good answers correct, good p99 %.2f ms, server RSS %.1f -> %.1f MB (x%.3f, limit "
                        + "x%.1f)", tally.total(), config.seconds(), config.clients(), tally.checkedAnswers(),
                tally.goodPercentileMillis("all", 99), baseline, finalRss, ratio(), SoakConfig.RSS_GROWTH_LIMIT)
                : "soak: FAILED: " + String.join("; ", failures)
                + (serverLog == null ? "" : " (server log: " + serverLog + ")");
        return new SoakSummary(failures.isEmpty(), verdict, failures, config.seconds(), config.warmupSeconds(),
                config.clients(), config.seed(), config.skip().stream().map(Kind::label).sorted().toList(),
                tally.total(), tally.unexpectedTotal(), tally.checkedAnswers(),
                tally.wrongAnswers(), tally.goodPercentileMillis("all", 50), tally.goodPercentileMillis("all", 99),
                tally.goodPercentileMillis("unary", 99), tally.goodPercentileMillis("stream", 99), baseline,
                finalRss, peak, ratio(), SoakConfig.RSS_GROWTH_LIMIT, heapUsed, heapAfterGc, exitCode,
                SoakSummary.nest(tally.counts()), SoakSummary.nest(tally.unexpectedCounts()), tally.examples(),
                List.copyOf(memory), serverLog);
    }
}
