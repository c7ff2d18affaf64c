package org.distillery.student.cli;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.cache.CacheFill;
import org.distillery.student.cache.CacheStats;
import org.distillery.student.cache.TeacherCache;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.options.StudentOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.pipeline.TrainingData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code student-trainer cache fill|stats|prune}: manages a teacher-output cache ({@code --teacher-cache}). */
@Command(name = "cache", mixinStandardHelpOptions = true,
        description = "Manages a teacher-output cache: fill it ahead of training, show what it holds, prune it.",
        subcommands = {CacheCommand.Fill.class, CacheCommand.Stats.class, CacheCommand.Prune.class})
public final class CacheCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    /** {@code cache fill}: precomputes a dataset's teacher answers. */
    @Command(name = "fill", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Asks the teacher fleet for every training example's answer, in large length-sorted "
                    + "batches, and stores them. Give the data, --max-length, --seed, --wire-dtype, "
                    + "--n-teachers-to-sample and feature outputs the training run will use, so that its keys match.")
    public static final class Fill implements Callable<Integer> {
        @Mixin
        DataMixin data;
        @Mixin
        TeacherMixin teacher;
        @Option(names = "--max-length", description = "Tokens per example, as the student's --max-length "
                + "(default: ${DEFAULT-VALUE}).")
        int maxLength = StudentOptions.DEFAULTS.maxLength();
        @Option(names = "--seed", description = "The training run's --seed, which decides its split "
                + "(default: ${DEFAULT-VALUE}).")
        long seed = org.distillery.student.options.OptimizerOptions.DEFAULTS.seed();
        @Option(names = "--feature", description = "A feature output the training run's objective reads "
                + "(--teacher-feature with a feature loss); repeatable.")
        List<String> features = new ArrayList<>();
        @Option(names = "--fill-batch", description = "Examples per teacher request (default: ${DEFAULT-VALUE}).")
        int batch = 256;
        @Option(names = "--in-flight", description = "Requests in flight over the fleet (default: ${DEFAULT-VALUE}).")
        int inFlight = 8;

        @Override
        public Integer call() throws Exception {
            TeacherOptions options = teacher.options();
            if (options.target() == null || options.cacheDir() == null) {
                throw new IllegalArgumentException("cache fill needs --teacher TARGET, --teacher-model NAME and "
                        + "--teacher-cache DIR");
            }
            TrainingData loaded = TrainingData.load(data.options(), seed);
            try (PaddedTokenizer tokenizer = loaded.openTokenizer(maxLength);
                 TeacherConnection connection = TeacherConnection.open(options);
                 TeacherCache cache = TeacherCache.open(options.cacheDir())) {
                System.out.printf("filling %s with %s's answers for %d training examples (version %s)%n",
                        options.cacheDir(), options.model(), loaded.train().size(), connection.info().getVersion());
                CacheFill.Result r = CacheFill.fill(connection, options, features, loaded.train(), tokenizer, cache,
                        batch, inFlight, System.out);
                System.out.printf("done: %d examples over %d member set(s) in %.1f s (%.0f examples/s); %d were "
                                + "cached already%n", r.examples(), r.memberSets(), r.seconds(),
                        r.examplesPerSecond(), r.alreadyThere());
            }
            return 0;
        }
    }

    /** {@code cache stats}: entries and bytes per teacher version. */
    @Command(name = "stats", mixinStandardHelpOptions = true, description = "Entries and bytes per teacher version.")
    public static final class Stats implements Callable<Integer> {
        @Option(names = "--teacher-cache", paramLabel = "DIR", required = true, description = "The cache.")
        Path dir;

        @Override
        public Integer call() {
            try (TeacherCache cache = TeacherCache.open(existing(dir))) {
                CacheStats stats = cache.stats();
                System.out.printf("%-34s %12s %14s%n", "version", "entries", "bytes");
                stats.versions().values().forEach(v -> System.out.printf("%-34s %12d %14d%n", v.version(),
                        v.entries(), v.bytes()));
                System.out.printf("%-34s %12d%n", "total", stats.entries());
            }
            return 0;
        }
    }

    /** {@code cache prune}: keeps one teacher version. */
    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Deletes the entries of every teacher version but one, and compacts the store.")
    public static final class Prune implements Callable<Integer> {
        @Option(names = "--teacher-cache", paramLabel = "DIR", required = true, description = "The cache.")
        Path dir;
        @Option(names = "--keep-version", paramLabel = "V", required = true,
                description = "The version to keep (ModelInfo.version, as cache stats and query show it).")
        String keep;

        @Override
        public Integer call() {
            try (TeacherCache cache = TeacherCache.open(existing(dir))) {
                long deleted = cache.prune(keep);
                System.out.printf("deleted %d entries; kept %d of version %s%n", deleted, cache.stats().entries(),
                        keep);
            }
            return 0;
        }
    }

    private static Path existing(Path dir) {
        if (!java.nio.file.Files.isRegularFile(dir.resolve("CURRENT"))) {
            throw new IllegalArgumentException("--teacher-cache " + dir + " is not a teacher cache (no store there)");
        }
        return dir;
    }
}
