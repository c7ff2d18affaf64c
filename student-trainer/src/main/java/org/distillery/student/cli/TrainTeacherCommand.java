package org.distillery.student.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code train-teacher}: trains a (larger) BERT-style model on labels only — the no-teacher path of {@code train} —
 * and exports its best weights to ONNX, ready to serve with the teacher server.
 */
@Command(name = "train-teacher", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a BERT-style teacher on labels only and exports it to ONNX.")
public final class TrainTeacherCommand extends TrainCommand {
    @Option(names = "--out", required = true, description = "The teacher ONNX file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (teacher != null) {
            throw new IllegalArgumentException("train-teacher trains on labels only; drop --teacher");
        }
        if (!"bert".equals(student)) {
            throw new IllegalArgumentException("a teacher is BERT-style: use --student bert");
        }
        super.call();
        var parity = ExportCommand.export(runDir, "best", out);
        System.out.printf("teacher exported to %s (max |ONNX - DJL|: logits %.1e); serve it with:%n  "
                + "bin/teacher-server --model teacher=%s%n", out, parity.logits(), out);
        return 0;
    }
}
