package org.distillery.student.cli;

import org.distillery.student.model.StudentKind;
import org.distillery.student.options.StudentOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The size of the model trained; defaults from {@link StudentOptions#DEFAULTS}. */
public final class ArchitectureMixin {
    private static final StudentOptions D = StudentOptions.DEFAULTS;

    @Option(names = "--layers", description = "Encoder layers (default: ${DEFAULT-VALUE}).")
    int layers = D.layers();
    @Option(names = "--hidden", description = "Hidden width; the embedding width of a fasttext student "
            + "(default: ${DEFAULT-VALUE}).")
    int hidden = D.hidden();
    @Option(names = "--heads", description = "Attention heads; must divide --hidden (default: ${DEFAULT-VALUE}).")
    int heads = D.heads();
    @Option(names = "--intermediate", description = "Feed-forward width of each layer (default: ${DEFAULT-VALUE}).")
    int intermediate = D.intermediate();
    @Option(names = "--max-length", description = "Longest sequence in tokens; longer texts are truncated "
            + "(default: ${DEFAULT-VALUE}).")
    int maxLength = D.maxLength();
    @Option(names = "--dropout", description = "Dropout probability while training (default: ${DEFAULT-VALUE}).")
    float dropout = D.dropout();

    /** The validated options for a model of {@code kind}. */
    public StudentOptions options(StudentKind kind, Path initFromTeacher) {
        return new StudentOptions(kind, layers, hidden, heads, intermediate, maxLength, dropout, initFromTeacher);
    }
}
