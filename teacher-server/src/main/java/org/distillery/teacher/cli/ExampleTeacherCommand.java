package org.distillery.teacher.cli;

import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.RandomWeights;
import org.distillery.common.text.WordPieceTokenizerJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code teacher-server example-teacher}: writes a BERT-style teacher with random weights and a character-level
 * WordPiece tokenizer, so the server can be tried before a real teacher exists. Its predictions mean nothing.
 */
@Command(name = "example-teacher", mixinStandardHelpOptions = true,
        description = "Writes teacher.onnx (BERT-style, random weights) and tokenizer.json for trying the server.")
public final class ExampleTeacherCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, description = "Directory to write teacher.onnx and tokenizer.json.")
    Path out;
    @Option(names = "--layers", defaultValue = "2", description = "Encoder layers (default: ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = "--hidden", defaultValue = "64", description = "Hidden width (default: ${DEFAULT-VALUE}).")
    int hidden;
    @Option(names = "--labels", defaultValue = "2", description = "Classifier outputs (default: ${DEFAULT-VALUE}).")
    int labels;
    @Option(names = "--seed", defaultValue = "1", description = "Weight seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        List<String> vocab = characterVocabulary();
        BertGraphConfig config = new BertGraphConfig(vocab.size(), hidden, layers, Math.max(1, hidden / 32),
                hidden * 4, 512, 2, labels, 1e-12f);
        Path model = out.resolve("teacher.onnx");
        Path tokenizer = out.resolve("tokenizer.json");
        OnnxGraphWriter.write(new BertGraphBuilder(config, new RandomWeights(seed, 0.02)).build("example-teacher",
                Map.of("distillery.kind", "example-teacher", "distillery.note", "random weights")), model);
        WordPieceTokenizerJson.write(vocab, true, tokenizer);
        System.out.println("wrote " + model + " and " + tokenizer + "; serve them with:");
        System.out.println("  bin/teacher-server --model example=" + model + ",tokenizer=" + tokenizer);
        return 0;
    }

    /** Specials, then every printable ASCII character as a word start and as a ## continuation. */
    static List<String> characterVocabulary() {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (char c = '!'; c <= '~'; c++) {
            if (Character.isUpperCase(c)) {
                continue; // the tokenizer lower-cases
            }
            vocab.add(String.valueOf(c));
            vocab.add("##" + c);
        }
        return vocab;
    }
}
