package org.distillery.student.pipeline;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.CacheDirectory;
import org.distillery.student.data.ColumnMapping;
import org.distillery.student.data.DataException;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.data.TabularLoader;
import org.distillery.student.options.DataOptions;
import org.distillery.student.text.BertUncasedTokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The data of a run as {@link DataOptions} describe it: the training and validation sets (a built-in dataset or
 * files, split stratified by the seed when no validation file is given) and the tokenizer file.
 *
 * @param train      training examples
 * @param validation validation examples
 * @param tokenizer  the tokenizer.json to use
 */
public record TrainingData(Dataset train, Dataset validation, Path tokenizer) {
    /**
     * Loads what the options name.
     *
     * @throws IllegalArgumentException or {@link DataException} saying what is missing or wrong
     */
    public static TrainingData load(DataOptions options, long seed) {
        if ((options.dataset() == null) == (options.train() == null)) {
            throw new IllegalArgumentException("give exactly one of --dataset spam-assassin or --train FILE");
        }
        Path cache = CacheDirectory.or(options.cacheDir());
        List<Dataset> splits;
        if (options.dataset() != null) {
            if (!options.dataset().equals("spam-assassin")) {
                throw new IllegalArgumentException("unknown --dataset '" + options.dataset()
                        + "'; built in: spam-assassin");
            }
            splits = Splits.stratified(SpamAssassin.load(cache), options.valFraction(), options.testFraction(), seed);
        } else {
            ColumnMapping columns = new ColumnMapping(options.textCol(), options.pairCol(), options.labelCol());
            Dataset train = TabularLoader.load(options.train(), columns, null);
            splits = options.validation() != null
                    ? List.of(train, TabularLoader.load(options.validation(), columns, train.labelNames()))
                    : Splits.stratified(train, options.valFraction(), 0, seed);
        }
        Path tokenizer = options.tokenizer() != null ? options.tokenizer() : BertUncasedTokenizer.cached(cache);
        return new TrainingData(splits.get(0), splits.get(1), tokenizer);
    }

    /**
     * Opens the tokenizer with a max length.
     *
     * @throws IllegalArgumentException naming the file when it is missing or not a tokenizer
     */
    public PaddedTokenizer openTokenizer(int maxLength) {
        try {
            return PaddedTokenizer.load(tokenizer, maxLength, null);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
