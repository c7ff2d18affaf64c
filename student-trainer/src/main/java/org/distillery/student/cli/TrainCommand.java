package org.distillery.student.cli;

import org.distillery.student.model.StudentKind;
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
    RunMixin run;
    @Mixin
    CommonMixin common;

    @Override
    public Integer call() throws Exception {
        new TrainingJob(data.options(), architecture.options(student, initFromTeacher), objective.options(),
                teacher.options(), optimizer.options(), run.options(common.progress())).run(System.out);
        return 0;
    }
}
