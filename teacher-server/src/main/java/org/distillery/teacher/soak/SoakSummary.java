package org.distillery.teacher.soak;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a soak run found; written as JSON with snake_case keys (component names turned to snake_case).
 *
 * @param passed            whether every pass criterion held
 * @param verdict           the last line printed ({@code soak: passed …} or {@code soak: FAILED …})
 * @param failures          each criterion that failed, in words
 * @param seconds           run length
 * @param warmupSeconds     warm-up length (RSS baseline taken at its end)
 * @param clients           concurrent clients
 * @param seed              seed of the requests and the clients' choices
 * @param skipped           kinds left out of the mix
 * @param calls             outcomes counted (requests on streams count one each)
 * @param unexpected        outcomes outside the contract
 * @param goodAnswersChecked good answers compared with the reference
 * @param wrongAnswers      good answers that differed from it
 * @param goodP50Ms         median latency of good requests
 * @param goodP99Ms         p99 latency of good requests (unary and stream)
 * @param goodUnaryP99Ms    p99 of good unary calls
 * @param goodStreamP99Ms   p99 of good requests on streams (send to response)
 * @param rssWarmupMb       server RSS at the end of warm-up
 * @param rssFinalMb        server RSS at the end of the run
 * @param rssPeakMb         highest server RSS seen
 * @param rssRatio          final over warm-up RSS
 * @param rssLimitRatio     the most that ratio may be
 * @param heapUsedMb        the server's heap in use, from its last memory line
 * @param heapAfterGcMb     its heap after the last collection
 * @param serverExitCode    the server's exit code when it died during the run, else null
 * @param counts            outcomes by kind, transport and status
 * @param unexpectedCounts  the unexpected ones, the same way
 * @param unexpectedExamples the first unexpected outcomes and wrong answers, described
 * @param memory            the server's memory over time
 * @param serverLog         the server's log file when it was kept (a failed run), else null
 */
public record SoakSummary(boolean passed, String verdict, List<String> failures, double seconds,
                          double warmupSeconds, int clients, long seed, List<String> skipped, long calls,
                          long unexpected, long goodAnswersChecked, long wrongAnswers, double goodP50Ms,
                          double goodP99Ms, double goodUnaryP99Ms, double goodStreamP99Ms, double rssWarmupMb, double rssFinalMb, double rssPeakMb,
                          double rssRatio, double rssLimitRatio, double heapUsedMb, double heapAfterGcMb,
                          Integer serverExitCode, Map<String, Map<String, Map<String, Long>>> counts,
                          Map<String, Map<String, Map<String, Long>>> unexpectedCounts, List<String> unexpectedExamples,
                          List<MemoryPoint> memory, String serverLog) {
    /**
     * The server's memory at one moment of the run.
     *
     * @param tS            seconds since the clients started
     * @param rssMb         resident set from /proc
     * @param heapUsedMb    heap in use (the server's memory line)
     * @param heapAfterGcMb heap after the last collection (the server's memory line)
     */
    public record MemoryPoint(double tS, double rssMb, double heapUsedMb, double heapAfterGcMb) {
    }

    /** {@code kind/transport OUTCOME -> n} as {@code kind -> transport -> OUTCOME -> n}. */
    static Map<String, Map<String, Map<String, Long>>> nest(Map<String, Long> flat) {
        Map<String, Map<String, Map<String, Long>>> nested = new TreeMap<>();
        flat.forEach((key, n) -> {
            int slash = key.indexOf('/');
            int space = key.indexOf(' ');
            nested.computeIfAbsent(key.substring(0, slash), k -> new TreeMap<>())
                    .computeIfAbsent(key.substring(slash + 1, space), k -> new TreeMap<>())
                    .put(key.substring(space + 1), n);
        });
        return nested;
    }
}
