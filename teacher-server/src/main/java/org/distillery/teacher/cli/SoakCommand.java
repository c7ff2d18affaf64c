package org.distillery.teacher.cli;

import org.distillery.teacher.soak.Kind;
import org.distillery.teacher.soak.ServerSettings;
import org.distillery.teacher.soak.SoakConfig;
import org.distillery.teacher.soak.SoakRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code teacher-server soak}: starts a teacher server process and drives it with good and bad traffic for a while
 * (see {@link SoakRunner}). Exit 0 when it passed, 1 when it failed; the last line says which and why.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Drives a teacher server process with many clients and good, bad, cancelled, late, oversize "
                + "and abandoned calls; checks every status and answer and the server's memory.")
public final class SoakCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "60", description = "How long to run (default: ${DEFAULT-VALUE}).")
    double seconds;
    @Option(names = "--warmup-seconds",
            description = "The RSS baseline is taken after this long (default: 20 %% of the run, at least 10 s, at "
                    + "most half).")
    Double warmupSeconds;
    @Option(names = "--clients", defaultValue = "16", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--report-every-s", defaultValue = "5",
            description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    double reportEverySeconds;
    @Option(names = "--json", defaultValue = "bench-results/soak.json",
            description = "Where to write the JSON summary (default: ${DEFAULT-VALUE}).")
    Path json;
    @Option(names = "--skip", split = ",", paramLabel = "KIND",
            description = "Kinds to leave out of the mix, e.g. token_out_of_range,sequence_too_long.")
    List<String> skip = new ArrayList<>();
    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of requests and choices (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--server-heap-mb", defaultValue = "256",
            description = "The server JVM's fixed heap (-Xms = -Xmx, pre-touched) in MiB (default: ${DEFAULT-VALUE}).")
    int serverHeapMb;

    @Override
    public Integer call() throws Exception {
        Set<Kind> skipped = skip.stream().map(Kind::parse).collect(Collectors.toSet());
        ServerSettings d = ServerSettings.DEFAULTS;
        SoakConfig config = new SoakConfig(seconds, warmupSeconds != null ? warmupSeconds
                : SoakConfig.defaultWarmup(seconds), clients, reportEverySeconds, json, skipped, seed,
                new ServerSettings(d.maxRequestExamples(), d.maxRequestElements(), d.maxMessageMb(), serverHeapMb));
        return new SoakRunner(config, System.out).run().passed() ? 0 : 1;
    }
}
