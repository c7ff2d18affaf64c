package org.distillery.teacher.soak;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * One soak run.
 *
 * @param seconds            how long the clients drive the server
 * @param warmupSeconds      the first part of the run after which the server's RSS is the baseline
 * @param clients            concurrent client threads
 * @param reportEverySeconds how often a progress line is printed
 * @param json               where the JSON summary goes
 * @param skip               kinds left out of the mix
 * @param seed               seed of the requests and of each client's choices
 * @param server             how the server is started
 */
public record SoakConfig(double seconds, double warmupSeconds, int clients, double reportEverySeconds, Path json,
                         Set<Kind> skip, long seed, ServerSettings server) {
    /** The final RSS may be at most this many times the RSS after warm-up. */
    public static final double RSS_GROWTH_LIMIT = 1.2;

    public SoakConfig {
        if (!(seconds > 0) || !(warmupSeconds >= 0) || warmupSeconds >= seconds) {
            throw new IllegalArgumentException("--seconds must be > 0 and --warmup-seconds in [0, seconds), got "
                    + seconds + " and " + warmupSeconds);
        }
        if (clients < 1 || !(reportEverySeconds > 0)) {
            throw new IllegalArgumentException("--clients must be >= 1 and --report-every-s > 0, got " + clients
                    + " and " + reportEverySeconds);
        }
        skip = skip.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(skip);
        if (skip.contains(Kind.GOOD)) {
            throw new IllegalArgumentException("--skip good: the soak needs good requests to check answers");
        }
    }

    /**
     * The default warm-up: 20 % of the run but at least 10 s, and never more than half of it.
     */
    public static double defaultWarmup(double seconds) {
        return Math.min(Math.max(10, seconds * 0.2), seconds / 2);
    }
}
