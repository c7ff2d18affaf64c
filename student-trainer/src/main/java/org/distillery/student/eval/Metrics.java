package org.distillery.student.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Classification metrics from predicted probabilities and labels: accuracy; for two labels precision, recall and
 * F1 of label 1 and ROC-AUC; for more labels macro precision, recall and F1 (also reported as macro_f1).
 */
public final class Metrics {
    private Metrics() {
    }

    /**
     * @param probs  row-major {@code [n, labels]}
     * @param labels true label ids; rows labelled {@link org.distillery.student.data.Example#UNLABELLED} are left
     *               out
     */
    public static Map<String, Double> compute(float[] probs, int[] labels, int classes) {
        if (Arrays.stream(labels).anyMatch(l -> l < 0)) {
            Labelled kept = Labelled.of(probs, labels, classes);
            return compute(kept.probs, kept.labels, classes);
        }
        int n = labels.length;
        int[] predicted = new int[n];
        int[][] confusion = new int[classes][classes];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probs[i * classes + c] > probs[i * classes + best]) {
                    best = c;
                }
            }
            predicted[i] = best;
            confusion[labels[i]][best]++;
            if (best == labels[i]) {
                correct++;
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", n == 0 ? 0 : correct / (double) n);
        if (classes == 2) {
            double[] prf = prf(confusion, 1);
            m.put("precision", prf[0]);
            m.put("recall", prf[1]);
            m.put("f1", prf[2]);
            double[] scores = new double[n];
            for (int i = 0; i < n; i++) {
                scores[i] = probs[i * 2 + 1];
            }
            m.put("roc_auc", rocAuc(scores, labels));
        } else {
            double p = 0;
            double r = 0;
            double f = 0;
            for (int c = 0; c < classes; c++) {
                double[] prf = prf(confusion, c);
                p += prf[0];
                r += prf[1];
                f += prf[2];
            }
            m.put("precision", p / classes);
            m.put("recall", r / classes);
            m.put("f1", f / classes);
            m.put("macro_f1", f / classes);
        }
        return m;
    }

    /** Precision, recall and F1 of one class (0 where undefined). */
    private static double[] prf(int[][] confusion, int c) {
        int tp = confusion[c][c];
        int predictedC = 0;
        int actualC = 0;
        for (int k = 0; k < confusion.length; k++) {
            predictedC += confusion[k][c];
            actualC += confusion[c][k];
        }
        double precision = predictedC == 0 ? 0 : tp / (double) predictedC;
        double recall = actualC == 0 ? 0 : tp / (double) actualC;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new double[]{precision, recall, f1};
    }

    /** ROC-AUC by the rank statistic (ties get average ranks); NaN when one class is absent. */
    public static double rocAuc(double[] scores, int[] labels) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double[] ranks = new double[n];
        for (int i = 0; i < n; ) {
            int j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = rank;
            }
            i = j + 1;
        }
        long positives = Arrays.stream(labels).filter(l -> l == 1).count();
        long negatives = n - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (labels[i] == 1) {
                sum += ranks[i];
            }
        }
        return (sum - positives * (positives + 1) / 2.0) / (positives * (double) negatives);
    }

    /** Confusion matrix {@code [actual][predicted]} of argmax predictions (unlabelled rows left out). */
    public static int[][] confusion(float[] probs, int[] labels, int classes) {
        int[][] matrix = new int[classes][classes];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                continue;
            }
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (probs[i * classes + c] > probs[i * classes + best]) {
                    best = c;
                }
            }
            matrix[labels[i]][best]++;
        }
        return matrix;
    }

    /** The labelled rows of predictions and labels. */
    private record Labelled(float[] probs, int[] labels) {
        static Labelled of(float[] probs, int[] labels, int classes) {
            int n = (int) Arrays.stream(labels).filter(l -> l >= 0).count();
            float[] keptProbs = new float[n * classes];
            int[] keptLabels = new int[n];
            int k = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] >= 0) {
                    System.arraycopy(probs, i * classes, keptProbs, k * classes, classes);
                    keptLabels[k++] = labels[i];
                }
            }
            return new Labelled(keptProbs, keptLabels);
        }
    }
}
