package org.distillery.student.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;
import org.distillery.student.loss.DistillationLosses;
import org.distillery.student.loss.NativeArrays;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A student's metrics (see {@link Metrics}) and cross-entropy loss on a dataset, in batches of 64, without dropout;
 * unlabelled examples are left out of both.
 */
public final class Validation {
    private static final int BATCH = 64;

    private Validation() {
    }

    /** {@link Metrics} of the student's predictions plus {@code val_loss}. */
    public static Map<String, Double> evaluate(AbstractBlock student, ParameterStore store, Dataset data,
                                               PaddedTokenizer tokenizer, int labelCount, NDManager manager) {
        int n = data.size();
        float[] probs = new float[n * labelCount];
        int[] labels = new int[n];
        double lossSum = 0;
        for (int from = 0; from < n; from += BATCH) {
            int to = Math.min(n, from + BATCH);
            List<String> texts = new ArrayList<>();
            List<String> pairs = new ArrayList<>();
            long[] batchLabels = new long[to - from];
            for (int i = from; i < to; i++) {
                Example e = data.examples().get(i);
                texts.add(e.text());
                pairs.add(e.pair());
                labels[i] = e.label();
                batchLabels[i - from] = e.label();
            }
            try (NDManager scope = manager.newSubManager()) {
                NDList inputs = NativeArrays.inputs(scope, tokenizer.encode(texts, pairs));
                NDArray logits = student.forward(store, inputs, false).get(0);
                int labelled = (int) Arrays.stream(batchLabels).filter(l -> l >= 0).count();
                if (labelled > 0) {
                    lossSum += DistillationLosses.labelledCrossEntropy(logits, NativeArrays.copy(scope,
                            batchLabels, new Shape(to - from))).getFloat() * labelled;
                }
                float[] p = logits.softmax(-1).toFloatArray();
                System.arraycopy(p, 0, probs, from * labelCount, p.length);
            }
        }
        Map<String, Double> metrics = new LinkedHashMap<>(Metrics.compute(probs, labels, labelCount));
        metrics.put("val_loss", data.labelledCount() == 0 ? Double.NaN : lossSum / data.labelledCount());
        return metrics;
    }
}
