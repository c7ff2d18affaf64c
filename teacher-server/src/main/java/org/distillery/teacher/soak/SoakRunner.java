package org.distillery.teacher.soak;

import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs a soak: writes the teacher, computes the reference answers, starts the server process, drives it with the
 * clients while watching its memory, then judges the run ({@link SoakVerdict}) and writes the JSON summary. The
 * server is stopped on every path out. A failed run keeps its directory (with the server's log) and names it.
 */
public final class SoakRunner {
    private final SoakConfig config;
    private final PrintStream out;

    public SoakRunner(SoakConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** Runs the soak; the last line printed starts with {@code soak:} and says whether it passed. */
    public SoakSummary run() throws Exception {
        Path dir = Files.createTempDirectory("distillery-soak");
        SoakTeacher teacher = SoakTeacher.write(dir);
        SoakRequests requests = new SoakRequests(config.seed(), config.server());
        References references = References.compute(teacher.model(), requests.good());
        out.printf(Locale.ROOT, "soak: BERT-style teacher (vocab %d, %d positions), %d distinct good requests, "
                        + "%d clients for %.0f s, warm-up %.0f s%n", SoakTeacher.VOCAB, SoakTeacher.MAX_POSITIONS,
                requests.good().size(), config.clients(), config.seconds(), config.warmupSeconds());
        Tally tally = new Tally();
        SoakVerdict verdict;
        ServerProcess server = null;
        try {
            server = ServerProcess.start(teacher, config.server(), dir);
            out.println("soak: server pid " + server.pid() + " is SERVING; its log: " + server.logFile());
            verdict = drive(server, requests, references, tally);
        } catch (IllegalStateException | IOException e) {
            verdict = SoakVerdict.notRun(config, tally, e.getMessage());
        } finally {
            if (server != null) {
                server.close();
            }
        }
        SoakSummary summary = verdict.summary(verdict.passed() ? null : dir.resolve("server.log").toString());
        print(summary);
        Path json = config.json().toAbsolutePath();
        Files.createDirectories(json.getParent());
        AtomicFiles.writeString(json, Json.PRETTY.toJson(summary) + "\n");
        out.println("soak: wrote " + config.json());
        if (summary.passed()) {
            deleteTree(dir);
        }
        out.println(summary.verdict());
        out.flush();
        return summary;
    }

    private SoakVerdict drive(ServerProcess server, SoakRequests requests, References references, Tally tally)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = start + seconds(config.seconds());
        long warmEnd = start + seconds(config.warmupSeconds());
        long reportEvery = seconds(config.reportEverySeconds());
        SoakClients clients = new SoakClients(server, config, requests, references, tally, end);
        SoakVerdict verdict = new SoakVerdict(config, tally);
        clients.start();
        try {
            long nextReport = start + reportEvery;
            long tick = start;
            while (System.nanoTime() < end) {
                tick = Math.min(end, tick + TimeUnit.SECONDS.toNanos(1));
                sleepUntil(tick);
                server.log().poll();
                if (!server.isAlive()) {
                    verdict.serverExited(server.exitCode(), server.log().tail());
                    break;
                }
                double t = (System.nanoTime() - start) / 1e9;
                verdict.rss(server.rssMb(), System.nanoTime() >= warmEnd);
                if (System.nanoTime() >= nextReport || System.nanoTime() >= end) {
                    verdict.memoryPoint(t, server.log());
                    progress(t, verdict);
                    nextReport += reportEvery;
                }
            }
            if (server.isAlive()) {
                verdict.finalRss(server.rssMb());
            }
        } finally {
            clients.stop();
        }
        server.log().poll();
        verdict.serverLog(server.log(), server.pid());
        if (!server.isAlive() && !verdict.exited()) {
            verdict.serverExited(server.exitCode(), server.log().tail());
        }
        return verdict;
    }

    private void progress(double t, SoakVerdict v) {
        Tally tally = v.tally();
        out.printf(Locale.ROOT, "soak: %4.0f s: server rss_mb=%.1f heap_used_mb=%.1f heap_after_gc_mb=%.1f | "
                        + "%d outcomes, %d unexpected, %d good answers checked, %d wrong | good p99 %.2f ms%n", t,
                v.lastRss(), v.lastHeapUsed(), v.lastHeapAfterGc(), tally.total(), tally.unexpectedTotal(),
                tally.checkedAnswers(), tally.wrongAnswers(), tally.goodPercentileMillis("all", 99));
        StringBuilder counts = new StringBuilder("soak:        counts:");
        tally.counts().forEach((k, n) -> counts.append(' ').append(k.replace(' ', ':')).append('=').append(n));
        out.println(counts);
        out.flush();
    }

    private void print(SoakSummary s) {
        out.println();
        out.printf(Locale.ROOT, "%-28s %-32s %8s%n", "kind/transport", "outcome", "count");
        s.counts().forEach((kind, byTransport) -> byTransport.forEach((transport, byOutcome) ->
                byOutcome.forEach((outcome, n) -> {
                    boolean bad = s.unexpectedCounts().getOrDefault(kind, Map.of())
                            .getOrDefault(transport, Map.of()).containsKey(outcome);
                    out.printf(Locale.ROOT, "%-28s %-32s %8d%s%n", kind + "/" + transport, outcome, n,
                            bad ? "  UNEXPECTED" : "");
                })));
        if (!s.unexpectedExamples().isEmpty()) {
            out.println("first unexpected outcomes:");
            s.unexpectedExamples().forEach(e -> out.println("  " + e));
        }
        out.printf(Locale.ROOT, "good answers checked %d, wrong %d; good latency p50 %.2f ms, p99 %.2f ms "
                        + "(unary %.2f, stream %.2f)%n", s.goodAnswersChecked(), s.wrongAnswers(), s.goodP50Ms(),
                s.goodP99Ms(), s.goodUnaryP99Ms(), s.goodStreamP99Ms());
        out.printf(Locale.ROOT, "server RSS: %.1f MB after warm-up, %.1f MB at the end (x%.3f, limit x%.1f), "
                        + "peak %.1f MB; heap used %.1f MB, after GC %.1f MB%n", s.rssWarmupMb(), s.rssFinalMb(),
                s.rssRatio(), s.rssLimitRatio(), s.rssPeakMb(), s.heapUsedMb(), s.heapAfterGcMb());
    }

    private static long seconds(double s) {
        return (long) (s * 1e9);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
