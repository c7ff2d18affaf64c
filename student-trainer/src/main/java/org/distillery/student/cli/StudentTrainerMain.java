package org.distillery.student.cli;

import org.distillery.common.fleet.DnsCaching;
import org.distillery.student.demo.DemoOptions;
import org.distillery.student.export.RunExporter;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.FeatureLoss;
import org.distillery.student.options.SoftLabelLoss;
import org.distillery.student.options.WireDtype;
import org.distillery.student.train.NativeDeterminism;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code student-trainer}: trains students by distillation from a teacher server. User errors print one line and
 * exit 2; {@code --verbose} adds the stack trace.
 */
@Command(name = "student-trainer", mixinStandardHelpOptions = true, versionProvider = StudentTrainerMain.Version.class,
        description = "Trains a small DJL student, by distillation from a teacher server when one is given.",
        subcommands = {TrainCommand.class, TrainTeacherCommand.class, ExportCommand.class, DemoCommand.class,
                TokenizerCommand.class, BenchCommand.class, StepBenchCommand.class, WireBenchCommand.class,
                CacheCommand.class})
public final class StudentTrainerMain implements Runnable {
    /** Exit code for bad arguments, files or data. */
    public static final int USAGE_ERROR = 2;

    public static void main(String[] args) {
        DnsCaching.shorten();
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        System.setProperty("ai.djl.offline", "true");
        NativeDeterminism.configure();
        System.exit(execute(new PrintWriter(System.err, true), args));
    }

    /** Runs the command line; errors go to {@code err} as one line. Returns the exit code. */
    public static int execute(PrintWriter err, String... args) {
        CommandLine cli = commandLine(err);
        boolean verbose = List.of(args).contains("--verbose");
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (verbose) {
                e.printStackTrace(err);
            }
            err.println("student-trainer: " + e.getMessage());
            return USAGE_ERROR;
        });
        return cli.execute(args);
    }

    /**
     * The command line with its converters and its one-line handling of bad arguments, not yet run: {@code execute}
     * runs it, and checks of argument lists written elsewhere (deploy files) parse with it.
     */
    public static CommandLine commandLine(PrintWriter err) {
        CommandLine cli = new CommandLine(new StudentTrainerMain());
        cli.setErr(err);
        cli.registerConverter(StudentKind.class, checked(StudentKind::parse));
        cli.registerConverter(SoftLabelLoss.class, checked(SoftLabelLoss::parse));
        cli.registerConverter(FeatureLoss.class, checked(FeatureLoss::parse));
        cli.registerConverter(WireDtype.class, checked(WireDtype::parse));
        cli.registerConverter(DemoOptions.Scenario.class, checked(DemoOptions.Scenario::parse));
        cli.registerConverter(RunExporter.Weights.class, checked(text -> switch (text) {
            case "best" -> RunExporter.Weights.BEST;
            case "final" -> RunExporter.Weights.FINAL;
            default -> throw new IllegalArgumentException("--weights must be best or final, got '" + text + "'");
        }));
        cli.setParameterExceptionHandler((e, args2) -> {
            err.println("student-trainer: " + e.getMessage() + " (see --help)");
            return USAGE_ERROR;
        });
        return cli;
    }

    /** A converter whose IllegalArgumentException becomes picocli's one-line conversion error. */
    private static <T> CommandLine.ITypeConverter<T> checked(java.util.function.Function<String, T> parse) {
        return text -> {
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        };
    }

    /** The version line from the build. */
    public static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"distillery student-trainer " + org.distillery.student.export.BuildInfo.versions()};
        }
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
