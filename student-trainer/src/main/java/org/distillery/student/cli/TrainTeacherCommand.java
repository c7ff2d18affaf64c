package org.distillery.student.cli;

import org.distillery.student.export.OnnxStudentExporter;
import org.distillery.student.export.RunExporter;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.pipeline.MlmJob;
import org.distillery.student.mlm.MlmObjectiveOptions;
import org.distillery.student.mlm.TeacherLogits;
import org.distillery.student.pipeline.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code train-teacher}: trains a (larger) BERT-style model on labels only and exports its best weights to ONNX,
 * ready to serve with the teacher server. It offers the data, architecture, optimizer and run options; nothing of
 * distillation.
 */
@Command(name = "train-teacher", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a BERT-style teacher on labels only and exports it to ONNX.")
public final class TrainTeacherCommand implements Callable<Integer> {
    @Mixin
    DataMixin data;
    @Mixin
    ArchitectureMixin architecture;
    @Mixin
    OptimizerMixin optimizer;
    @Mixin
    RunMixin run;
    @Mixin
    CommonMixin common;
    @Option(names = "--out", required = true, description = "The teacher ONNX file to write.")
    Path out;
    @Option(names = "--task", description = "classify (labels) or mlm (pretrain a BERT-style masked LM on a text "
            + "corpus; exported with BertForMaskedLM's outputs logits and last_hidden_state) "
            + "(default: ${DEFAULT-VALUE}).")
    String task = "classify";
    @Mixin
    MaskingMixin masking;
    @Option(names = "--mlm-weight", description = "With --task mlm: the factor of the MLM loss (default: "
            + "${DEFAULT-VALUE}).")
    float mlmWeight = 1f;

    @Override
    public Integer call() throws Exception {
        if (Task.parse(task) == Task.MLM) {
            MlmObjectiveOptions d = MlmObjectiveOptions.DISTILBERT;
            new MlmJob(data.options(), architecture.options(StudentKind.BERT_MLM, null),
                    new MlmObjectiveOptions(0, mlmWeight, 0, 0, 0, d.temperature(), d.hiddenOutput()),
                    masking.masking(), TeacherLogits.DEFAULT, TeacherOptions.DEFAULTS, optimizer.options(),
                    run.options(common.progress()), masking.heldOutFraction, masking.heldOutMax).run(System.out);
            OnnxStudentExporter.Parity parity = RunExporter.export(run.runDir, RunExporter.Weights.FINAL, out);
            System.out.printf("masked-LM teacher exported to %s (max |ONNX - DJL|: logits %.1e); serve it with:%n  "
                    + "bin/teacher-server --model teacher=%s%n", out, parity.logits(), out);
            return 0;
        }
        new TrainingJob(data.options(), architecture.options(StudentKind.BERT, null), ObjectiveOptions.LABELS_ONLY,
                TeacherOptions.DEFAULTS, optimizer.options(), run.options(common.progress())).run(System.out);
        OnnxStudentExporter.Parity parity = RunExporter.export(run.runDir, RunExporter.Weights.BEST, out);
        System.out.printf("teacher exported to %s (max |ONNX - DJL|: logits %.1e); serve it with:%n  "
                + "bin/teacher-server --model teacher=%s%n", out, parity.logits(), out);
        return 0;
    }
}
