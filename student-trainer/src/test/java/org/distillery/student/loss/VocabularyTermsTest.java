package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The masked-LM terms against numbers computed here in double: the dense KL is exact, top-k with K = vocabulary is
 * the dense KL and with smaller K never above it, the sampled estimate averages to the dense KL (unbiased), the MSE
 * vanishes when the distributions agree, the MLM cross-entropy is −log p(target).
 */
@Timeout(120)
class VocabularyTermsTest {
    private static final int N = 6;
    private static final int V = 40;
    private static final float T = 2f;
    private NDManager manager;
    private float[] student;
    private double[][] teacherLogProbs;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager("PyTorch");
        Random random = new Random(11);
        student = new float[N * V];
        for (int i = 0; i < student.length; i++) {
            student[i] = (float) (random.nextGaussian() * 2);
        }
        teacherLogProbs = new double[N][V];
        for (int n = 0; n < N; n++) {
            double[] logits = new double[V];
            for (int v = 0; v < V; v++) {
                logits[v] = random.nextGaussian() * 3;
            }
            teacherLogProbs[n] = logSoftmax(logits, T);
        }
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private static double[] logSoftmax(double[] logits, double t) {
        double max = Arrays.stream(logits).max().orElseThrow() / t;
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l / t - max);
        }
        double lse = max + Math.log(sum);
        return Arrays.stream(logits).map(l -> l / t - lse).toArray();
    }

    private double[] studentLogProbs(int n) {
        double[] row = new double[V];
        for (int v = 0; v < V; v++) {
            row[v] = student[n * V + v];
        }
        return logSoftmax(row, T);
    }

    private double denseKl() {
        double total = 0;
        for (int n = 0; n < N; n++) {
            double[] q = studentLogProbs(n);
            for (int v = 0; v < V; v++) {
                double p = Math.exp(teacherLogProbs[n][v]);
                total += p * (teacherLogProbs[n][v] - q[v]);
            }
        }
        return total / N * T * T;
    }

    private NDArray logits() {
        return manager.create(student, new Shape(N, V));
    }

    private VocabularyTarget topK(int k) {
        float[] values = new float[N * k];
        long[] ids = new long[N * k];
        for (int n = 0; n < N; n++) {
            Integer[] order = new Integer[V];
            for (int v = 0; v < V; v++) {
                order[v] = v;
            }
            final int row = n;
            Arrays.sort(order, (a, b) -> Double.compare(teacherLogProbs[row][b], teacherLogProbs[row][a]));
            for (int j = 0; j < k; j++) {
                values[n * k + j] = (float) teacherLogProbs[n][order[j]];
                ids[n * k + j] = order[j];
            }
        }
        return new VocabularyTarget(VocabularyTarget.Support.TOP_K, manager.create(values, new Shape(N, k)),
                manager.create(ids, new Shape(N, k)), null, T);
    }

    private VocabularyTarget sampled(int k, long seed) {
        Random random = new Random(seed);
        float[] values = new float[N * k];
        long[] ids = new long[N * k];
        float[] weights = new float[N * k];
        for (int n = 0; n < N; n++) {
            int[] counts = new int[V];
            for (int draw = 0; draw < k; draw++) {
                double u = random.nextDouble();
                double c = 0;
                int v = 0;
                for (; v < V - 1; v++) {
                    c += Math.exp(teacherLogProbs[n][v]);
                    if (u < c) {
                        break;
                    }
                }
                counts[v]++;
            }
            int j = 0;
            for (int v = 0; v < V; v++) {
                if (counts[v] > 0) {
                    values[n * k + j] = (float) teacherLogProbs[n][v];
                    ids[n * k + j] = v;
                    weights[n * k + j] = counts[v] / (float) k;
                    j++;
                }
            }
        }
        return new VocabularyTarget(VocabularyTarget.Support.SAMPLE, manager.create(values, new Shape(N, k)),
                manager.create(ids, new Shape(N, k)), manager.create(weights, new Shape(N, k)), T);
    }

    @Test
    void denseKlIsExact() {
        float[] all = new float[N * V];
        for (int n = 0; n < N; n++) {
            for (int v = 0; v < V; v++) {
                all[n * V + v] = (float) teacherLogProbs[n][v];
            }
        }
        VocabularyTarget dense = new VocabularyTarget(VocabularyTarget.Support.DENSE,
                manager.create(all, new Shape(N, V)), null, null, T);
        assertEquals(denseKl(), VocabularyKl.kl(logits(), dense).getFloat(), 1e-4);
    }

    @Test
    void topKWithTheWholeVocabularyIsTheDenseKlAndLessIsNeverMore() {
        double dense = denseKl();
        assertEquals(dense, VocabularyKl.kl(logits(), topK(V)).getFloat(), 1e-4);
        double previous = -1;
        for (int k : new int[]{1, 4, 16, 32}) {
            double value = VocabularyKl.kl(logits(), topK(k)).getFloat();
            assertTrue(value >= -1e-6 && value <= dense + 1e-5, "K=" + k + ": " + value + " vs dense " + dense);
            assertTrue(value >= previous - 1e-5, "a finer coarsening is never below a coarser one: K=" + k);
            previous = value;
        }
    }

    @Test
    void topKWithATailOfWeightsIsExactWhenTheHeadIsEverything() {
        VocabularyTarget all = topK(V);
        float[] weights = all.logProbs().exp().toFloatArray();
        VocabularyTarget weighted = new VocabularyTarget(VocabularyTarget.Support.TOP_K_SAMPLED_TAIL,
                all.logProbs(), all.indices(), manager.create(weights, new Shape(N, V)), T);
        assertEquals(denseKl(), VocabularyKl.kl(logits(), weighted).getFloat(), 1e-4);
    }

    @Test
    void sampledEstimateIsUnbiased() {
        double dense = denseKl();
        int trials = 400;
        double sum = 0;
        double squares = 0;
        for (int trial = 0; trial < trials; trial++) {
            double value = VocabularyKl.kl(logits(), sampled(8, trial)).getFloat();
            sum += value;
            squares += value * value;
        }
        double mean = sum / trials;
        double std = Math.sqrt(squares / trials - mean * mean);
        assertTrue(std > 0, "the estimate varies");
        assertEquals(dense, mean, 4 * std / Math.sqrt(trials), "mean of the estimates vs the dense KL");
    }

    @Test
    void mseVanishesWhenDistributionsAgreeAndMlmIsMinusLogProbability() {
        // the student's own log-probabilities at T as the teacher's: the MSE term is 0
        float[] values = new float[N * 3];
        long[] ids = new long[N * 3];
        for (int n = 0; n < N; n++) {
            double[] q = studentLogProbs(n);
            for (int j = 0; j < 3; j++) {
                ids[n * 3 + j] = 5L * j;
                values[n * 3 + j] = (float) q[5 * j];
            }
        }
        VocabularyTarget same = new VocabularyTarget(VocabularyTarget.Support.TOP_K,
                manager.create(values, new Shape(N, 3)), manager.create(ids, new Shape(N, 3)), null, T);
        StepData step = new StepData(logits(), null, null, new TeacherBatch(null, Map.of(), same), null, true);
        assertEquals(0, new VocabularyMse(1f).compute(step).getFloat(), 1e-6);
        NDArray targets = manager.create(new long[]{0, 1, 2, 3, 4, 5});
        double expected = 0;
        for (int n = 0; n < N; n++) {
            double[] row = new double[V];
            for (int v = 0; v < V; v++) {
                row[v] = student[n * V + v];
            }
            expected -= logSoftmax(row, 1)[n];
        }
        assertEquals(expected / N, MaskedLmCrossEntropy.crossEntropy(logits(), targets).getFloat(), 1e-4);
        assertEquals(DataType.FLOAT32, MaskedLmCrossEntropy.crossEntropy(logits(), targets).getDataType());
    }
}
