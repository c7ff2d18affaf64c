package org.distillery.student.cli;

import org.distillery.student.model.StudentKind;
import org.distillery.student.pipeline.MlmJob;
import org.distillery.student.pipeline.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code student-trainer train}: trains a student; with {@code --teacher}, by distillation. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a student. Without --teacher: the no-distillation baseline.")
public final class TrainCommand implements Callable<Integer> {
    @Mixin
    DataMixin data;
    @Option(names = "--task", description = "classify (a labelled dataset) or mlm (masked-LM distillation over a "
            + "text corpus, the DistilBERT recipe; the student is bert-mlm) (default: ${DEFAULT-VALUE}).")
    String task = "classify";
    @Option(names = "--student", description = "bert or fasttext (default: ${DEFAULT-VALUE}).")
    StudentKind student = StudentKind.BERT;
    @Option(names = "--init-from-teacher", description = "Initialise a bert student from a BERT-style teacher's ONNX "
            + "initializers (embeddings and every other layer; widths must match).")
    Path initFromTeacher;
    @Mixin
    ArchitectureMixin architecture;
    @Mixin
    TeacherMixin teacher;
    @Mixin
    ObjectiveMixin objective;
    @Mixin
    OptimizerMixin optimizer;
    @Mixin
    MlmMixin mlm;
    @Mixin
    MaskingMixin masking;
    @Mixin
    RunMixin run;
    @Mixin
    CommonMixin common;

    @Override
    public Integer call() throws Exception {
        if (Task.parse(task) == Task.MLM) {
            new MlmJob(data.options(), architecture.options(StudentKind.BERT_MLM, initFromTeacher), mlm.objective(),
                    masking.masking(), mlm.teacherLogits(), teacher.options(), optimizer.options(),
                    run.options(common.progress()), masking.heldOutFraction, masking.heldOutMax).run(System.out);
            return 0;
        }
        new TrainingJob(data.options(), architecture.options(student, initFromTeacher), objective.options(),
                teacher.options(), optimizer.options(), run.options(common.progress())).run(System.out);
        return 0;
    }
}
