package org.distillery.teacher.soak;

import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.RandomWeights;
import org.distillery.common.text.WordPieceTokenizerJson;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The soak's teacher: a small BERT-style classifier with random weights and a WordPiece tokenizer over its
 * vocabulary. Its sizes are the limits the bad requests step over (token ids, sequence length).
 *
 * @param model     the ONNX file
 * @param tokenizer the tokenizer.json file
 */
public record SoakTeacher(Path model, Path tokenizer) {
    /** Name the teacher is served under. */
    public static final String NAME = "soak";
    /** Rows of the word embedding: valid token ids are 0 .. VOCAB - 1. */
    public static final int VOCAB = 512;
    /** Rows of the position embedding: the longest sequence the graph accepts. */
    public static final int MAX_POSITIONS = 128;
    /** Classifier outputs. */
    public static final int LABELS = 3;
    /** Hidden width. */
    public static final int HIDDEN = 64;

    /** Writes {@code teacher.onnx} and {@code tokenizer.json} into a directory. */
    public static SoakTeacher write(Path dir) throws IOException {
        BertGraphConfig config = new BertGraphConfig(VOCAB, HIDDEN, 2, 2, HIDDEN * 4, MAX_POSITIONS, 2, LABELS,
                1e-12f);
        Path model = dir.resolve("teacher.onnx");
        Path tokenizer = dir.resolve("tokenizer.json");
        OnnxGraphWriter.write(new BertGraphBuilder(config, new RandomWeights(11, 0.05)).build("soak-teacher",
                Map.of("distillery.kind", "soak-teacher", "distillery.note", "random weights")), model);
        WordPieceTokenizerJson.write(vocabulary(), true, tokenizer);
        return new SoakTeacher(model, tokenizer);
    }

    /** The {@code --model} argument that serves this teacher with its tokenizer and its true length limit. */
    public String modelArgument() {
        return NAME + "=" + model + ",tokenizer=" + tokenizer + ",max_length=" + MAX_POSITIONS;
    }

    /** Specials, printable ASCII as word starts and ## continuations, then filler pieces up to {@link #VOCAB}. */
    static List<String> vocabulary() {
        List<String> vocab = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (char c = '!'; c <= '~'; c++) {
            if (!Character.isUpperCase(c)) {
                vocab.add(String.valueOf(c));
                vocab.add("##" + c);
            }
        }
        for (int i = 0; vocab.size() < VOCAB; i++) {
            vocab.add("[unused" + i + "]");
        }
        return vocab;
    }
}
