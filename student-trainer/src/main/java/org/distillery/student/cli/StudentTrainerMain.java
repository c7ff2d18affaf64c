package org.distillery.student.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/**
 * {@code student-trainer}: trains students by distillation from a teacher server. User errors print one line and
 * exit 2; {@code --verbose} adds the stack trace.
 */
@Command(name = "student-trainer", mixinStandardHelpOptions = true, version = "distillery student-trainer 0.1.0",
        description = "Trains a small DJL student, by distillation from a teacher server when one is given.",
        subcommands = {TrainCommand.class, TrainTeacherCommand.class, ExportCommand.class, DemoCommand.class,
                TokenizerCommand.class, TrainerBenchmark.class})
public final class StudentTrainerMain implements Runnable {
    /** Exit code for bad arguments, files or data. */
    public static final int USAGE_ERROR = 2;

    public static void main(String[] args) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils", "error");
        System.setProperty("ai.djl.offline", "true");
        System.exit(execute(new PrintWriter(System.err, true), args));
    }

    /** Runs the command line; errors go to {@code err} as one line. Returns the exit code. */
    public static int execute(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new StudentTrainerMain());
        cli.setErr(err);
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

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }
}
