package org.distillery.teacher.server;

import io.grpc.Status;
import org.distillery.common.tensor.HalfFloats;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.EnsembleOptions;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TextInput;
import org.distillery.proto.v1.VocabularySelection;
import org.distillery.proto.v1.VocabularySelection.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vocabulary}: DENSE, TOP_K and SAMPLE log-probabilities of the logits output, checked against log softmax of
 * the raw logits computed here; SAMPLE is reproducible, weighted and unbiased; ensembles select from the combined
 * distribution; every refused combination gets a precise INVALID_ARGUMENT.
 */
@Timeout(180)
class VocabularyTest {
    private static final int V = 200;
    /** Examples × positions of the base request: 2 × 6 tokens, 4 answered positions. */
    private static final int[] POSITIONS = {1, 4, -1, 0, 5, 2};
    private static final int ROWS = 5;

    @TempDir
    static Path dir;
    private static Path first;
    private static Path second;
    private static Path integers;
    private static Path tokenizer;

    private ServerFixture fixture;

    @BeforeAll
    static void writeModels() throws Exception {
        first = SequenceTeachers.maskedLm(dir.resolve("mlm-a.onnx"), V, 21);
        second = SequenceTeachers.maskedLm(dir.resolve("mlm-b.onnx"), V, 22);
        integers = SequenceTeachers.integerLogits(dir.resolve("ints.onnx"));
        tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
    }

    @BeforeEach
    void start() throws Exception {
        fixture = ServerFixture.builder().model("mlm", first, tokenizer).model("mlm2", second, tokenizer)
                .model("ints", integers)
                .ensemble("mean", CombineMode.MEAN_LOGITS, "mlm", "mlm2")
                .ensemble("probs", CombineMode.MEAN_PROBS, "mlm", "mlm2").start();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    /** Two examples of 6 tokens at 3 positions each (one -1): logits answered as [5, V]. */
    private static InferRequest base(String model) {
        return InferRequest.newBuilder().setModel(model)
                .putAllInputs(PositionsTest.sequences(false, Requests.tokens(31, 6), Requests.tokens(32, 6)))
                .setPositions(PositionsTest.positions(2, POSITIONS)).build();
    }

    private static InferRequest select(String model, Mode mode, int k, float temperature, long seed) {
        return base(model).toBuilder().addOutputs("logits").setVocabulary(VocabularySelection.newBuilder()
                .setMode(mode).setK(k).setTemperature(temperature).setSeed(seed)).build();
    }

    /** Raw logits of the base request, [ROWS, V]. */
    private float[] rawLogits(String model) {
        InferResponse raw = fixture.blocking().infer(base(model).toBuilder().addOutputs("logits").build());
        assertEquals(List.of((long) ROWS, (long) V), raw.getOutputsMap().get("logits").getShapeList());
        return InferenceParityTest.decode(raw, "logits");
    }

    /** log softmax(x / T) per row, computed here independently (log-sum-exp around the row's max). */
    private static double[] logSoftmax(float[] x, double temperature) {
        double[] out = new double[x.length];
        for (int base = 0; base < x.length; base += V) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < V; i++) {
                max = Math.max(max, x[base + i] / temperature);
            }
            double sum = 0;
            for (int i = 0; i < V; i++) {
                sum += Math.exp(x[base + i] / temperature - max);
            }
            for (int i = 0; i < V; i++) {
                out[base + i] = x[base + i] / temperature - max - Math.log(sum);
            }
        }
        return out;
    }

    private static int[] ints(InferResponse r) {
        return TensorCodec.decodeInts("indices", r.getTopKIndicesMap().get("logits"));
    }

    @Test
    void denseIsEveryLogProbabilityAndSumsToOne() {
        double[] expected = logSoftmax(rawLogits("mlm"), 0.7);
        InferResponse r = fixture.blocking().infer(select("mlm", Mode.DENSE, 0, 0.7f, 0));
        assertEquals(List.of((long) ROWS, (long) V), r.getOutputsMap().get("logits").getShapeList());
        assertTrue(r.getTopKIndicesMap().isEmpty() && r.getSampleWeightsMap().isEmpty());
        float[] got = InferenceParityTest.decode(r, "logits");
        for (int row = 0; row < ROWS; row++) {
            double total = 0;
            for (int i = 0; i < V; i++) {
                assertEquals(expected[row * V + i], got[row * V + i], 1e-5, "row " + row + " token " + i);
                total += Math.exp(got[row * V + i]);
            }
            assertEquals(1.0, total, 1e-5, "row " + row);
        }
    }

    @Test
    void topKIsTheLargestLogProbabilitiesOfTheDenseAnswer() {
        float[] raw = rawLogits("mlm");
        for (DataType dtype : List.of(DataType.FLOAT32, DataType.FLOAT16)) {
            double[] expected = logSoftmax(raw, 2.0);
            InferResponse r = fixture.blocking().infer(select("mlm", Mode.TOP_K, 10, 2f, 0).toBuilder()
                    .setOutputDtype(dtype).build());
            assertEquals(dtype, r.getOutputsMap().get("logits").getDtype());
            assertEquals(List.of((long) ROWS, 10L), r.getOutputsMap().get("logits").getShapeList());
            assertEquals(DataType.INT32, r.getTopKIndicesMap().get("logits").getDtype());
            float[] values = InferenceParityTest.decode(r, "logits");
            int[] indices = ints(r);
            // fp16 keeps 11 significant bits: half a unit in the last place, relative.
            double relative = dtype == DataType.FLOAT16 ? Math.scalb(1.0, -11) : 1e-6;
            for (int row = 0; row < ROWS; row++) {
                double[] sorted = java.util.Arrays.copyOfRange(expected, row * V, row * V + V);
                java.util.Arrays.sort(sorted);
                double mass = 0;
                for (int j = 0; j < 10; j++) {
                    double want = sorted[V - 1 - j];
                    float got = values[row * 10 + j];
                    assertEquals(want, got, relative * Math.abs(want) + 1e-5, dtype + " row " + row + " rank " + j);
                    assertEquals(expected[row * V + indices[row * 10 + j]], want, 1e-9, "index of rank " + j);
                    if (j > 0) {
                        assertTrue(got <= values[row * 10 + j - 1], "descending");
                    }
                    mass += Math.exp(got);
                }
                assertTrue(mass <= 1.0 + 1e-3, "row " + row + " top-k mass " + mass);
            }
        }
        // k past the vocabulary: the whole axis, sorted, summing to one.
        InferResponse whole = fixture.blocking().infer(select("mlm", Mode.TOP_K, 5000, 0f, 0));
        assertEquals(List.of((long) ROWS, (long) V), whole.getOutputsMap().get("logits").getShapeList());
        float[] all = InferenceParityTest.decode(whole, "logits");
        double total = 0;
        for (int i = 0; i < V; i++) {
            total += Math.exp(all[i]);
        }
        assertEquals(1.0, total, 1e-5);
        assertEquals(V, new HashSet<>(java.util.Arrays.stream(ints(whole)).limit(V).boxed().toList()).size());
    }

    @Test
    void sampleIsReproducibleDistinctAndWeightsSumToOne() {
        double[] expected = logSoftmax(rawLogits("mlm"), 1.0);
        InferResponse a = fixture.blocking().infer(select("mlm", Mode.SAMPLE, 24, 0f, 7));
        InferResponse again = fixture.blocking().infer(select("mlm", Mode.SAMPLE, 24, 0f, 7));
        assertEquals(a.getOutputsMap(), again.getOutputsMap());
        assertEquals(a.getTopKIndicesMap(), again.getTopKIndicesMap());
        assertEquals(a.getSampleWeightsMap(), again.getSampleWeightsMap());
        InferResponse other = fixture.blocking().infer(select("mlm", Mode.SAMPLE, 24, 0f, 8));
        assertFalse(a.getTopKIndicesMap().equals(other.getTopKIndicesMap()), "another seed, other draws");

        assertEquals(DataType.FLOAT32, a.getSampleWeightsMap().get("logits").getDtype());
        long width = a.getOutputsMap().get("logits").getShape(1);
        assertTrue(width >= 1 && width <= 24, "width " + width);
        assertEquals(List.of((long) ROWS, width), a.getSampleWeightsMap().get("logits").getShapeList());
        assertEquals(List.of((long) ROWS, width), a.getTopKIndicesMap().get("logits").getShapeList());
        float[] values = InferenceParityTest.decode(a, "logits");
        int[] indices = ints(a);
        float[] weights = TensorCodec.decodeFloats("w", a.getSampleWeightsMap().get("logits"));
        boolean padded = false;
        for (int row = 0; row < ROWS; row++) {
            double total = 0;
            Set<Integer> seen = new HashSet<>();
            for (int j = 0; j < width; j++) {
                int at = (int) (row * width + j);
                if (weights[at] == 0f) {
                    padded = true;
                    assertEquals(0, indices[at], "padding index");
                    assertEquals(0f, values[at], "padding value");
                    continue;
                }
                assertTrue(seen.add(indices[at]), "row " + row + " repeats token " + indices[at]);
                assertEquals(expected[row * V + indices[at]], values[at], 1e-5, "value is the log-probability");
                float count = weights[at] * 24;
                assertEquals(Math.round(count), count, 1e-4, "weight is count / k");
                total += weights[at];
            }
            assertEquals(1.0, total, 1e-6, "row " + row);
        }
        assertTrue(padded || width == 24, "rows narrower than the widest are padded");

        // 16-bit values carry FLOAT16 weights: count / k rounded to fp16 (exact when k is a power of two; 24 is not,
        // so 1/24 is within half an fp16 ulp), and round(weight * k) still gives the count back.
        for (DataType dtype : List.of(DataType.FLOAT16, DataType.BFLOAT16)) {
            InferResponse half = fixture.blocking().infer(select("mlm", Mode.SAMPLE, 24, 0f, 7).toBuilder()
                    .setOutputDtype(dtype).build());
            assertEquals(dtype, half.getOutputsMap().get("logits").getDtype());
            assertEquals(DataType.FLOAT16, half.getSampleWeightsMap().get("logits").getDtype());
            assertEquals(a.getTopKIndicesMap(), half.getTopKIndicesMap(), "the draws do not depend on the dtype");
            float[] halfWeights = TensorCodec.decodeFloats("w", half.getSampleWeightsMap().get("logits"));
            for (int i = 0; i < weights.length; i++) {
                assertEquals(HalfFloats.halfToFloat(HalfFloats.floatToHalf(weights[i])), halfWeights[i], 0f);
                assertEquals(Math.round(weights[i] * 24), Math.round(halfWeights[i] * 24));
            }
        }
        InferResponse powerOfTwo = fixture.blocking().infer(select("mlm", Mode.SAMPLE, 32, 0f, 7).toBuilder()
                .setOutputDtype(DataType.FLOAT16).build());
        float[] exact = TensorCodec.decodeFloats("w", powerOfTwo.getSampleWeightsMap().get("logits"));
        for (int row = 0; row < ROWS; row++) {
            double total = 0;
            for (int j = 0; j < exact.length / ROWS; j++) {
                total += exact[row * (exact.length / ROWS) + j];
            }
            assertEquals(1.0, total, 0.0, "fp16 weights of k = 32 are exact");
        }
    }

    @Test
    void sampleWeightsGiveAnUnbiasedEstimateOfAnExpectation() {
        double[] logp = logSoftmax(rawLogits("mlm"), 1.5);
        int k = 32;
        int seeds = 150;
        // Two fixed functions of the token: the lower half of the vocabulary, and the id scaled to [0, 1).
        int functions = 2;
        double[][] sum = new double[functions][ROWS];
        for (int seed = 0; seed < seeds; seed++) {
            InferResponse r = fixture.blocking().infer(select("mlm", Mode.SAMPLE, k, 1.5f, 1000 + seed));
            int[] indices = ints(r);
            float[] weights = TensorCodec.decodeFloats("w", r.getSampleWeightsMap().get("logits"));
            int width = indices.length / ROWS;
            for (int row = 0; row < ROWS; row++) {
                for (int j = 0; j < width; j++) {
                    for (int f = 0; f < functions; f++) {
                        sum[f][row] += weights[row * width + j] * f(f, indices[row * width + j]);
                    }
                }
            }
        }
        for (int f = 0; f < functions; f++) {
            double pooledError = 0;
            double pooledVariance = 0;
            for (int row = 0; row < ROWS; row++) {
                double mean = 0;
                double square = 0;
                for (int i = 0; i < V; i++) {
                    double p = Math.exp(logp[row * V + i]);
                    mean += p * f(f, i);
                    square += p * f(f, i) * f(f, i);
                }
                // One answer averages k independent draws; the seeds average independent answers.
                double variance = (square - mean * mean) / k / seeds;
                double estimate = sum[f][row] / seeds;
                assertEquals(mean, estimate, 5 * Math.sqrt(variance) + 1e-6, "f" + f + " row " + row
                        + ": expectation " + mean + ", estimate " + estimate);
                pooledError += estimate - mean;
                pooledVariance += variance;
            }
            // Rows draw independently: their errors add up like their variances, so a small bias shows here.
            assertEquals(0, pooledError, 5 * Math.sqrt(pooledVariance) + 1e-6, "f" + f + " over all rows");
        }
    }

    private static InferRequest topKWithTail(int k, int tail, long seed) {
        InferRequest r = select("mlm", Mode.TOP_K, k, 1.5f, seed);
        return r.toBuilder().setVocabulary(r.getVocabulary().toBuilder().setSampleTail(tail)).build();
    }

    @Test
    void topKWithASampledTailIsExactOnTheHeadAndUnbiasedOverAll() {
        double[] logp = logSoftmax(rawLogits("mlm"), 1.5);
        int k = 8;
        int tail = 16;
        InferResponse plain = fixture.blocking().infer(select("mlm", Mode.TOP_K, k, 1.5f, 0));
        int[] head = ints(plain);
        int seeds = 150;
        double[][] sum = new double[2][ROWS];
        for (int seed = 0; seed < seeds; seed++) {
            InferResponse r = fixture.blocking().infer(topKWithTail(k, tail, 500 + seed));
            int[] indices = ints(r);
            float[] values = InferenceParityTest.decode(r, "logits");
            float[] weights = TensorCodec.decodeFloats("w", r.getSampleWeightsMap().get("logits"));
            int width = indices.length / ROWS;
            assertTrue(width > k && width <= k + tail, "width " + width);
            for (int row = 0; row < ROWS; row++) {
                double total = 0;
                java.util.Set<Integer> seen = new java.util.HashSet<>();
                for (int j = 0; j < width; j++) {
                    int id = indices[row * width + j];
                    double w = weights[row * width + j];
                    if (j < k) {
                        assertEquals(head[row * k + j], id, "the head is the plain top k");
                        assertEquals(Math.exp(logp[row * V + id]), w, 1e-6, "a head token weighs its probability");
                    } else if (w > 0) {
                        assertTrue(seen.add(id), "tail tokens are distinct");
                        for (int h = 0; h < k; h++) {
                            assertTrue(head[row * k + h] != id, "tail tokens lie outside the head");
                        }
                    }
                    if (w > 0) {
                        assertEquals(logp[row * V + id], values[row * width + j], 1e-5);
                    }
                    total += w;
                    for (int f = 0; f < 2; f++) {
                        sum[f][row] += w * f(f, id);
                    }
                }
                assertEquals(1.0, total, 1e-5, "head mass + rest = 1, row " + row);
            }
        }
        for (int f = 0; f < 2; f++) {
            for (int row = 0; row < ROWS; row++) {
                double mean = 0;
                double restMean = 0;
                double restSquare = 0;
                double rest = 0;
                java.util.Set<Integer> inHead = new java.util.HashSet<>();
                for (int h = 0; h < k; h++) {
                    inHead.add(head[row * k + h]);
                }
                for (int i = 0; i < V; i++) {
                    double p = Math.exp(logp[row * V + i]);
                    mean += p * f(f, i);
                    if (!inHead.contains(i)) {
                        rest += p;
                        restMean += p * f(f, i);
                        restSquare += p * f(f, i) * f(f, i);
                    }
                }
                // only the tail is estimated: rest * (mean of f over tail draws)
                double tailVariance = rest * rest * (restSquare / rest - Math.pow(restMean / rest, 2)) / tail / seeds;
                assertEquals(mean, sum[f][row] / seeds, 5 * Math.sqrt(tailVariance) + 1e-6, "f" + f + " row " + row);
            }
        }
    }

    @Test
    void sampleTailWithoutTopK() {
        InferRequest r = select("mlm", Mode.SAMPLE, 4, 0f, 0);
        expect(r.toBuilder().setVocabulary(r.getVocabulary().toBuilder().setSampleTail(4)).build(),
                "vocabulary.sample_tail must be in [1, 65536] with mode TOP_K (0 = none), got 4 with mode SAMPLE");
        expect(topKWithTail(4, -1, 0), "vocabulary.sample_tail must be in [1, 65536]", "got -1");
    }

    /** Fixed functions of a token: 0 is 1 on the lower half of the vocabulary, 1 is the id scaled to [0, 1). */
    private static double f(int which, int token) {
        return which == 0 ? (token < V / 2 ? 1.0 : 0.0) : token / (double) V;
    }

    @Test
    void ensembleOfMeanLogitsSelectsFromTheMeanLogits() {
        float[] a = rawLogits("mlm");
        float[] b = rawLogits("mlm2");
        float[] mean = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            mean[i] = (a[i] + b[i]) / 2f;
        }
        double[] expected = logSoftmax(mean, 1.0);
        InferResponse r = fixture.blocking().infer(select("mean", Mode.TOP_K, 3, 0f, 0));
        assertEquals(List.of("mlm", "mlm2"), r.getMembersUsedList());
        float[] values = InferenceParityTest.decode(r, "logits");
        int[] indices = ints(r);
        for (int row = 0; row < ROWS; row++) {
            double[] sorted = java.util.Arrays.copyOfRange(expected, row * V, row * V + V);
            java.util.Arrays.sort(sorted);
            for (int j = 0; j < 3; j++) {
                assertEquals(sorted[V - 1 - j], values[row * 3 + j], 1e-5, "row " + row + " rank " + j);
                assertEquals(sorted[V - 1 - j], expected[row * V + indices[row * 3 + j]], 1e-5);
            }
        }
    }

    @Test
    void ensembleOfMeanProbsSelectsFromTheMixture() {
        double[] a = logSoftmax(rawLogits("mlm"), 2.0);
        double[] b = logSoftmax(rawLogits("mlm2"), 2.0);
        // The ensemble's temperature tempers each member; the vocabulary's (1 here) is applied to the mixture.
        InferResponse r = fixture.blocking().infer(select("probs", Mode.DENSE, 0, 0f, 0).toBuilder()
                .setEnsemble(EnsembleOptions.newBuilder().setTemperature(2f)).build());
        float[] got = InferenceParityTest.decode(r, "logits");
        for (int i = 0; i < got.length; i++) {
            double mixture = (Math.exp(a[i]) + Math.exp(b[i])) / 2;
            assertEquals(Math.log(mixture), got[i], 1e-5, "element " + i);
        }
        InferResponse sampled = fixture.blocking().infer(select("probs", Mode.SAMPLE, 8, 0f, 3));
        float[] weights = TensorCodec.decodeFloats("w", sampled.getSampleWeightsMap().get("logits"));
        double total = 0;
        for (float w : weights) {
            total += w;
        }
        assertEquals(ROWS, total, 1e-5, "each row's weights sum to one");
    }

    @Test
    void otherOutputsTravelAsBeforeBesideTheSelection() {
        InferResponse plain = fixture.blocking().infer(base("mlm"));
        InferResponse r = fixture.blocking().infer(base("mlm").toBuilder().setVocabulary(
                VocabularySelection.newBuilder().setMode(Mode.TOP_K).setK(4)).build());
        assertEquals(List.of((long) ROWS, 4L), r.getOutputsMap().get("logits").getShapeList());
        assertEquals(plain.getOutputsMap().get("last_hidden_state"), r.getOutputsMap().get("last_hidden_state"));
        assertEquals(plain.getOutputsMap().get("pooled"), r.getOutputsMap().get("pooled"));
        assertEquals(1, r.getTopKIndicesCount());
        // Texts without positions: every token of [CLS] the cat sat [SEP] gets its draws, [1, 5, width].
        InferResponse texts = fixture.blocking().infer(InferRequest.newBuilder().setModel("mlm")
                .addTexts(TextInput.newBuilder().setText("the cat sat")).addOutputs("logits")
                .setVocabulary(VocabularySelection.newBuilder().setMode(Mode.SAMPLE).setK(3).setSeed(1)).build());
        List<Long> shape = texts.getSampleWeightsMap().get("logits").getShapeList();
        assertEquals(List.of(1L, 5L), shape.subList(0, 2));
        assertTrue(shape.get(2) >= 1 && shape.get(2) <= 3, "width " + shape);
    }

    /** Asserts INVALID_ARGUMENT with every fragment, then that a valid selection still succeeds. */
    private void expect(InferRequest request, String... fragments) {
        Requests.assertRefused(() -> fixture.blocking().infer(request), Status.Code.INVALID_ARGUMENT, fragments);
        InferResponse ok = fixture.blocking().infer(select("mlm", Mode.TOP_K, 2, 0f, 0));
        assertEquals(List.of((long) ROWS, 2L), ok.getOutputsMap().get("logits").getShapeList());
    }

    @Test
    void vocabularyTogetherWithTopK() {
        expect(select("mlm", Mode.TOP_K, 5, 0f, 0).toBuilder().setTopK(5).build(),
                "vocabulary and top_k exclude each other", "got top_k 5 with vocabulary TOP_K");
    }

    @Test
    void kBelowOne() {
        expect(select("mlm", Mode.TOP_K, 0, 0f, 0), "vocabulary.k for TOP_K must be in [1, 65536], got 0");
        expect(select("mlm", Mode.SAMPLE, -3, 0f, 0), "vocabulary.k for SAMPLE must be in [1, 65536], got -3");
    }

    @Test
    void kOverTheLimit() {
        expect(select("mlm", Mode.SAMPLE, 65537, 0f, 0), "vocabulary.k for SAMPLE must be in [1, 65536], got 65537");
    }

    @Test
    void kWithDense() {
        expect(select("mlm", Mode.DENSE, 8, 0f, 0), "vocabulary.k is 8 but vocabulary.mode is DENSE");
    }

    @Test
    void negativeTemperature() {
        expect(select("mlm", Mode.DENSE, 0, -1f, 0),
                "vocabulary.temperature must be a finite number > 0 (0 = 1.0), got -1.0");
    }

    @Test
    void nanTemperature() {
        expect(select("mlm", Mode.TOP_K, 3, Float.NaN, 0), "vocabulary.temperature", "got NaN");
    }

    @Test
    void combineModeAll() {
        expect(select("mean", Mode.TOP_K, 3, 0f, 0).toBuilder().setEnsemble(EnsembleOptions.newBuilder()
                .setCombine(CombineMode.ALL)).build(), "vocabulary is not supported with combine mode ALL",
                "MEAN_LOGITS or MEAN_PROBS");
    }

    @Test
    void logitsThatAreNotFloat() {
        expect(InferRequest.newBuilder().setModel("ints").putInputs("features", TensorCodec.encodeFloats(
                        new float[4], new long[]{1, 4}, DataType.FLOAT32))
                        .setVocabulary(VocabularySelection.newBuilder().setMode(Mode.DENSE)).build(),
                "vocabulary applies to float logits; output 'logits' of model 'ints' is INT64");
    }

    @Test
    void logitsNotAmongTheRequestedOutputs() {
        expect(base("mlm").toBuilder().addOutputs("pooled").setVocabulary(VocabularySelection.newBuilder()
                .setMode(Mode.DENSE)).build(), "vocabulary applies to the logits output 'logits'", "[pooled]");
    }
}
