package org.distillery.student.mlm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import org.distillery.student.loss.NativeArrays;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Held-out masked-token accuracy and perplexity: every model is scored on the same masked batches (masks drawn
 * from a fixed seed), as the share of masked positions whose most probable token is the original one and as
 * {@code exp(mean cross-entropy)} over them. A DJL student is scored in process, an ONNX model (a teacher, an
 * exported student, a Hugging Face export) with ONNX Runtime.
 */
public final class MlmEvaluation {
    /** The masks' seed: the same for every model and run. */
    public static final long SEED = 20_261_206L;

    private MlmEvaluation() {
    }

    /**
     * Accuracy, perplexity and the number of positions they are over.
     *
     * @param accuracy   share of masked positions predicted exactly
     * @param perplexity exp of the mean cross-entropy
     * @param positions  masked positions scored
     */
    public record Result(double accuracy, double perplexity, long positions) {
        /** As metric entries with {@code prefix}. */
        public Map<String, Double> metrics(String prefix) {
            return Map.of(prefix + "masked_accuracy", accuracy, prefix + "perplexity", perplexity);
        }
    }

    /** The held-out batches: {@code sequences} sorted by length, in batches of {@code batchSize}, masked by seed. */
    public static List<MaskedBatch> batches(List<int[]> sequences, MlmMasker masker, int batchSize) {
        List<int[]> sorted = new ArrayList<>(sequences);
        sorted.sort(Comparator.comparingInt(s -> s.length));
        List<MaskedBatch> batches = new ArrayList<>();
        for (int from = 0, i = 0; from < sorted.size(); from += batchSize, i++) {
            batches.add(masker.mask(i, sorted.subList(from, Math.min(sorted.size(), from + batchSize)), SEED));
        }
        return batches;
    }

    /** Scores a DJL masked-LM student (dropout off). */
    public static Result evaluate(AbstractBlock student, List<MaskedBatch> batches, NDManager manager) {
        Tally tally = new Tally();
        ParameterStore store = new ParameterStore(manager, false);
        for (MaskedBatch b : batches) {
            if (b.predicted() == 0) {
                continue;
            }
            try (NDManager scope = manager.newSubManager()) {
                NDList inputs = NativeArrays.inputs(scope, b.inputs());
                inputs.add(NativeArrays.copy(scope, b.flat(), new Shape(b.flat().length)));
                NDArray logits = student.forward(store, inputs, false).get(0);
                float[] values = logits.toFloatArray();
                int vocab = (int) logits.getShape().get(1);
                for (int n = 0; n < b.predicted(); n++) {
                    tally.add(values, n * vocab, vocab, (int) b.targets()[n]);
                }
            }
        }
        return tally.result();
    }

    /**
     * Scores an ONNX masked LM whose {@code logitsOutput} is {@code [batch, sequence, vocab]}.
     *
     * @throws IllegalArgumentException when the graph cannot be run or its output is not of that shape
     */
    public static Result evaluate(Path onnx, String logitsOutput, List<MaskedBatch> batches) {
        Tally tally = new Tally();
        try (OnnxMaskedLm model = new OnnxMaskedLm(onnx, logitsOutput)) {
            for (MaskedBatch b : batches) {
                if (b.predicted() == 0) {
                    continue;
                }
                float[] rows = model.logitsAt(b);
                for (int n = 0; n < b.predicted(); n++) {
                    tally.add(rows, n * model.vocab(), model.vocab(), (int) b.targets()[n]);
                }
            }
        }
        return tally.result();
    }

    private static final class Tally {
        long positions;
        long correct;
        double crossEntropy;

        void add(float[] logits, int offset, int vocab, int target) {
            float max = Float.NEGATIVE_INFINITY;
            int best = 0;
            for (int v = 0; v < vocab; v++) {
                if (logits[offset + v] > max) {
                    max = logits[offset + v];
                    best = v;
                }
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[offset + v] - max);
            }
            crossEntropy += Math.log(sum) + max - logits[offset + target];
            correct += best == target ? 1 : 0;
            positions++;
        }

        Result result() {
            return positions == 0 ? new Result(Double.NaN, Double.NaN, 0)
                    : new Result((double) correct / positions, Math.exp(crossEntropy / positions), positions);
        }
    }
}
