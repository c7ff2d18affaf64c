package org.distillery.student.cli;

import org.distillery.student.bench.TrainerBenchmark;
import org.distillery.student.data.CacheDirectory;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.teacher.launch.TeacherProcess;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.StudentOptions;
import org.distillery.student.text.BertUncasedTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code student-trainer bench}: see {@link TrainerBenchmark}. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Student-only vs distillation (co-located, remote with and without prefetch, a warm teacher "
                + "cache, fleets) on SpamAssassin batches, and 3-epoch wall times; prints tables of ratios and writes "
                + "JSON.")
public final class BenchCommand implements Callable<Integer> {
    private static final StudentOptions D = StudentOptions.DEFAULTS;

    @Option(names = "--steps", description = "Measured steps per row (default: ${DEFAULT-VALUE}).")
    int steps = 60;
    @Option(names = "--batch-size", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batchSize = OptimizerOptions.DEFAULTS.batchSize();
    @Option(names = "--max-length", description = "Longest sequence in tokens (default: ${DEFAULT-VALUE}).")
    int maxLength = D.maxLength();
    @Option(names = "--student-hidden", description = "Student hidden width (default: ${DEFAULT-VALUE}).")
    int studentHidden = D.hidden();
    @Option(names = "--student-layers", description = "Student encoder layers (default: ${DEFAULT-VALUE}).")
    int studentLayers = D.layers();
    @Option(names = "--teacher-hidden", description = "Teacher hidden width (default: ${DEFAULT-VALUE}).")
    int teacherHidden = D.hidden();
    @Option(names = "--teacher-layers", description = "Teacher encoder layers (default: ${DEFAULT-VALUE}).")
    int teacherLayers = D.layers();
    @Option(names = "--rounds", description = "Rounds the rows take turns in (default: ${DEFAULT-VALUE}).")
    int rounds = 3;
    @Option(names = "--window", description = "Prefetch window of the last row (default: ${DEFAULT-VALUE}).")
    int window = 4;
    @Option(names = "--teacher-core", description = "Core the teacher process is pinned to with taskset; -1 = not "
            + "pinned (default: ${DEFAULT-VALUE}).")
    int teacherCore = 1;
    @Option(names = "--fleet-sizes", split = ",", paramLabel = "N[,N...]", description = "More rows spreading "
            + "requests over N teacher processes each, with the prefetch window; all share --teacher-core, so on a "
            + "small machine they show the cost of dispatching over N streams, not a speed-up; 0 for none "
            + "(default: ${DEFAULT-VALUE}).")
    List<Integer> fleetSizes = new java.util.ArrayList<>(List.of(2, 3));
    @Option(names = "--teacher", paramLabel = "[NAME=]TARGET", description = "More rows against teachers started "
            + "elsewhere (repeatable): host:port, a list host:port,host:port or a gRPC target, optionally named, "
            + "e.g. 'delayed=10.0.0.2:50051,10.0.0.3:50051'; each serves the bench's teacher (see --write-teacher) "
            + "as model 'teacher'. Rows with --prefetch 0 and with the window.")
    List<String> external = new java.util.ArrayList<>();
    @Option(names = "--write-teacher", paramLabel = "ONNX", description = "Write the bench's teacher for these "
            + "sizes to this file and exit, to serve it elsewhere (e.g. behind a delayed link).")
    Path writeTeacher;
    @Option(names = "--wall-examples", description = "Examples per epoch of the 3-epoch wall-time comparison "
            + "(co-located teacher against remote with and without the teacher-output cache); 0 for none "
            + "(default: ${DEFAULT-VALUE}).")
    int wallExamples = 640;
    @Option(names = "--student-only", description = "Only the student rows (alone and with --group-by-length): no "
            + "teacher is started; for measuring grouping, e.g. with a long --max-length.")
    boolean studentOnly;
    @Option(names = "--cache-dir", description = "Cache for the corpus and tokenizer (default: ~/.cache/distillery).")
    Path cacheDir;
    @Option(names = "--json", description = "Where the results go (default: ${DEFAULT-VALUE}).")
    Path json = Path.of("bench-results/trainer-bench.json");
    @Mixin
    CommonMixin common;

    private static java.util.Map<String, String> named(List<String> teachers) {
        java.util.Map<String, String> byName = new java.util.LinkedHashMap<>();
        for (String t : teachers) {
            int eq = t.indexOf('=');
            String name = eq > 0 ? t.substring(0, eq) : t;
            if (byName.put(name, eq > 0 ? t.substring(eq + 1) : t) != null) {
                throw new IllegalArgumentException("--teacher names '" + name + "' twice");
            }
        }
        return byName;
    }

    @Override
    public Integer call() throws Exception {
        int core = teacherCore;
        if (core >= 0 && !TeacherProcess.canPin()) {
            System.out.println("taskset is not on the PATH: the teacher process is not pinned");
            core = -1;
        }
        TrainerBenchmark bench = new TrainerBenchmark(StudentOptions.bert(studentLayers, studentHidden, maxLength),
                StudentOptions.bert(teacherLayers, teacherHidden, maxLength), batchSize, steps, rounds, window, core,
                fleetSizes.stream().filter(n -> n != 0).toList(), named(external), wallExamples, studentOnly);
        Path cache = CacheDirectory.or(cacheDir);
        List<Dataset> splits = Splits.stratified(SpamAssassin.load(cache), 0.01, 0, 1);
        if (writeTeacher != null) {
            bench.writeTeacher(writeTeacher, BertUncasedTokenizer.cached(cache), splits.get(0).labelCount());
            System.out.println("wrote " + writeTeacher);
            return 0;
        }
        bench.run(splits.get(0), splits.get(1), BertUncasedTokenizer.cached(cache), json, System.out);
        return 0;
    }
}
