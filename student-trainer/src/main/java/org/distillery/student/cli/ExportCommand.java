package org.distillery.student.cli;

import org.distillery.student.export.OnnxStudentExporter;
import org.distillery.student.export.RunExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code student-trainer export}: a trained run's student as ONNX, checked for parity against DJL. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Exports a run's student to ONNX (opset 17) and checks parity with DJL (max |diff| <= 1e-4).")
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--run-dir", required = true, description = "A run directory written by train.")
    Path runDir;
    @Option(names = "--weights", description = "best or final (default: ${DEFAULT-VALUE}).")
    RunExporter.Weights weights = RunExporter.Weights.BEST;
    @Option(names = "--out", required = true, description = "The ONNX file to write.")
    Path out;
    @Mixin
    CommonMixin common;

    @Override
    public Integer call() throws Exception {
        OnnxStudentExporter.Parity parity = RunExporter.export(runDir, weights, out);
        System.out.printf("exported %s (max |ONNX - DJL|: logits %.2e, pooled %.2e)%n", out, parity.logits(),
                parity.pooled());
        return 0;
    }
}
