package org.distillery.teacher.server;

import io.grpc.Status;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.Tensor;
import org.distillery.proto.v1.TextInput;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.TensorSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code positions}: sequence outputs come back at the given positions only, as [N, ...], equal to those rows of the
 * full answer, in merged runs and for texts too; every bad positions tensor gets a precise INVALID_ARGUMENT.
 */
@Timeout(120)
class PositionsTest {
    private static final int VOCABULARY = 300;

    @TempDir
    static Path dir;
    private static Path bert;
    private static Path mlm;
    private static Path tokenizer;

    private ServerFixture fixture;
    private ServerFixture merged;
    private ExecutorService pool;

    @BeforeAll
    static void writeModels() throws Exception {
        bert = TestTeachers.tinyBert(dir.resolve("bert.onnx"), 11);
        mlm = SequenceTeachers.maskedLm(dir.resolve("mlm.onnx"), VOCABULARY, 12);
        tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
    }

    @BeforeEach
    void start() throws Exception {
        fixture = ServerFixture.builder().model("bert", bert, tokenizer).model("mlm", mlm, tokenizer).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (pool != null) {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
        if (merged != null) {
            merged.close();
        }
        fixture.close();
    }

    /** Equal-length examples with an all-ones mask (and zero token types for BERT). */
    static Map<String, Tensor> sequences(boolean withTypes, long[]... ids) {
        int len = ids[0].length;
        long[] shape = {ids.length, len};
        long[] flat = new long[ids.length * len];
        for (int b = 0; b < ids.length; b++) {
            System.arraycopy(ids[b], 0, flat, b * len, len);
        }
        long[] ones = new long[flat.length];
        Arrays.fill(ones, 1);
        Map<String, Tensor> inputs = new HashMap<>();
        inputs.put("input_ids", TensorCodec.encodeLongs(flat, shape));
        inputs.put("attention_mask", TensorCodec.encodeLongs(ones, shape));
        if (withTypes) {
            inputs.put("token_type_ids", TensorCodec.encodeLongs(new long[flat.length], shape));
        }
        return inputs;
    }

    static Tensor positions(int batch, int... values) {
        return TensorCodec.encodeInts(values, new long[]{batch, values.length / batch});
    }

    private static InferRequest bertPair() {
        return InferRequest.newBuilder().setModel("bert")
                .putAllInputs(sequences(true, Requests.tokens(1, 7), Requests.tokens(2, 7))).build();
    }

    /** Rows {@code (example, position)} of a [batch, seq, width] answer, flattened. */
    static float[] rows(float[] full, int seq, int width, int[][] pairs) {
        float[] out = new float[pairs.length * width];
        for (int r = 0; r < pairs.length; r++) {
            System.arraycopy(full, (pairs[r][0] * seq + pairs[r][1]) * width, out, r * width, width);
        }
        return out;
    }

    @Test
    void gatherReturnsExactlyTheRowsOfTheFullAnswer() {
        InferResponse full = fixture.blocking().infer(bertPair());
        InferResponse got = fixture.blocking().infer(bertPair().toBuilder()
                .setPositions(positions(2, 3, -1, 0, 6, 2, -1)).build());
        int[][] pairs = {{0, 3}, {0, 0}, {1, 6}, {1, 2}};
        assertEquals(List.of(4L, 16L), got.getOutputsMap().get("last_hidden_state").getShapeList());
        Requests.assertClose(rows(InferenceParityTest.decode(full, "last_hidden_state"), 7, 16, pairs),
                InferenceParityTest.decode(got, "last_hidden_state"), 1e-6, "gathered last_hidden_state");
        // Outputs without a sequence axis are unchanged.
        for (String output : List.of("logits", "pooled_output")) {
            assertEquals(full.getOutputsMap().get(output), got.getOutputsMap().get(output), output);
        }
        // The masked-LM teacher: logits [2, 7, V] become [4, V].
        InferRequest mlmPair = InferRequest.newBuilder().setModel("mlm")
                .putAllInputs(sequences(false, Requests.tokens(3, 7), Requests.tokens(4, 7))).build();
        InferResponse mlmFull = fixture.blocking().infer(mlmPair);
        InferResponse mlmGot = fixture.blocking().infer(mlmPair.toBuilder().addOutputs("logits")
                .setPositions(positions(2, 3, -1, 0, 6, 2, -1)).build());
        assertEquals(List.of(4L, (long) VOCABULARY), mlmGot.getOutputsMap().get("logits").getShapeList());
        assertEquals(1, mlmGot.getOutputsCount());
        Requests.assertClose(rows(InferenceParityTest.decode(mlmFull, "logits"), 7, VOCABULARY, pairs),
                InferenceParityTest.decode(mlmGot, "logits"), 1e-6, "gathered logits");
    }

    @Test
    void minusOneIsSkippedWhereverItIsAndTheGivenOrderIsKept() {
        InferResponse full = fixture.blocking().infer(bertPair());
        InferResponse got = fixture.blocking().infer(bertPair().toBuilder()
                .setPositions(positions(2, -1, 5, -1, 1, -1, -1, -1, 4)).build());
        Requests.assertClose(rows(InferenceParityTest.decode(full, "last_hidden_state"), 7, 16,
                        new int[][]{{0, 5}, {0, 1}, {1, 4}}),
                InferenceParityTest.decode(got, "last_hidden_state"), 1e-6, "rows in the given order");
        InferResponse none = fixture.blocking().infer(bertPair().toBuilder()
                .setPositions(positions(2, -1, -1)).build());
        assertEquals(List.of(0L, 16L), none.getOutputsMap().get("last_hidden_state").getShapeList());
        assertEquals(List.of(2L, 3L), none.getOutputsMap().get("logits").getShapeList());
    }

    @Test
    void textsTakePositionsWithinEachTextsTokenizedLength() {
        // [CLS] the cat sat on the mat [SEP] is 8 tokens; [CLS] hello world [SEP] is 4, padded to 8.
        InferRequest texts = InferRequest.newBuilder().setModel("mlm")
                .addTexts(TextInput.newBuilder().setText("the cat sat on the mat"))
                .addTexts(TextInput.newBuilder().setText("hello world")).build();
        InferResponse full = fixture.blocking().infer(texts);
        assertEquals(List.of(2L, 8L, (long) VOCABULARY), full.getOutputsMap().get("logits").getShapeList());
        InferResponse got = fixture.blocking().infer(texts.toBuilder()
                .setPositions(positions(2, 1, 7, -1, 3, 0, 2)).build());
        int[][] pairs = {{0, 1}, {0, 7}, {1, 3}, {1, 0}, {1, 2}};
        for (String output : List.of("logits", "last_hidden_state")) {
            int width = output.equals("logits") ? VOCABULARY : 16;
            assertEquals(List.of(5L, (long) width), got.getOutputsMap().get(output).getShapeList());
            Requests.assertClose(rows(InferenceParityTest.decode(full, output), 8, width, pairs),
                    InferenceParityTest.decode(got, output), 1e-6, output + " at text positions");
        }
        assertEquals(full.getOutputsMap().get("pooled"), got.getOutputsMap().get("pooled"));
        // Position 5 of "hello world" is padding: inside the padded tensor, outside the text.
        expect(texts.toBuilder().setPositions(positions(2, 1, 5)).build(),
                "positions: value 5 at [1, 0] (example 1) is outside [0, 4)", "example 1's tokenized length");
    }

    @Test
    void requestsMergedIntoOneRunEachGetTheirOwnRows() throws Exception {
        // A long gathering delay and a batch of exactly 3 examples: the three requests share one padded run.
        merged = ServerFixture.builder().batching(new BatchingOptions(3, 2_000_000, 64)).model("mlm", mlm).start();
        pool = Executors.newFixedThreadPool(3);
        int[] lengths = {5, 9, 7};
        int[][] wanted = {{4, 0}, {8, -1}, {2, 6}};
        List<Future<InferResponse>> futures = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            InferRequest request = InferRequest.newBuilder().setModel("mlm")
                    .putAllInputs(sequences(false, Requests.tokens(20 + i, lengths[i])))
                    .setPositions(positions(1, wanted[i])).build();
            futures.add(pool.submit(() -> merged.blocking().infer(request)));
        }
        for (int i = 0; i < lengths.length; i++) {
            InferResponse r = futures.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(3, r.getTimings().getBatchSize(), "the three requests ran together");
            long[] ids = Requests.tokens(20 + i, lengths[i]);
            long[] ones = new long[ids.length];
            Arrays.fill(ones, 1);
            long[] shape = {1, ids.length};
            Map<String, float[]> alone = Requests.reference(mlm, Map.of("input_ids", new Object[]{ids, shape},
                    "attention_mask", new Object[]{ones, shape}));
            List<int[]> pairs = new ArrayList<>();
            for (int p : wanted[i]) {
                if (p >= 0) {
                    pairs.add(new int[]{0, p});
                }
            }
            int[][] asArray = pairs.toArray(new int[0][]);
            Requests.assertClose(rows(alone.get("logits"), lengths[i], VOCABULARY, asArray),
                    InferenceParityTest.decode(r, "logits"), 1e-5, "logits of request " + i);
            Requests.assertClose(rows(alone.get("last_hidden_state"), lengths[i], 16, asArray),
                    InferenceParityTest.decode(r, "last_hidden_state"), 1e-5, "hidden of request " + i);
            Requests.assertClose(alone.get("pooled"), InferenceParityTest.decode(r, "pooled"), 1e-5, "pooled");
        }
        assertEquals(1, merged.model("mlm").batcher().runs());
    }

    /** Asserts INVALID_ARGUMENT with every fragment, then that a valid positions request still succeeds. */
    private void expect(InferRequest request, String... fragments) {
        Requests.assertRefused(() -> fixture.blocking().infer(request), Status.Code.INVALID_ARGUMENT, fragments);
        InferResponse ok = fixture.blocking().infer(bertPair().toBuilder().setPositions(positions(2, 1, 2)).build());
        assertEquals(List.of(2L, 16L), ok.getOutputsMap().get("last_hidden_state").getShapeList());
    }

    @Test
    void positionsOfTheWrongDtype() {
        expect(bertPair().toBuilder().setPositions(TensorCodec.encodeLongs(new long[]{1, 2}, new long[]{2, 1}))
                .build(), "positions: expected dtype INT32 [batch, P]", "got INT64");
    }

    @Test
    void positionsOfTheWrongRank() {
        expect(bertPair().toBuilder().setPositions(TensorCodec.encodeInts(new int[]{1, 2}, new long[]{2})).build(),
                "positions: expected rank 2 [batch, P], got rank 1 [2]");
        expect(bertPair().toBuilder().setPositions(TensorCodec.encodeInts(new int[]{1, 2}, new long[]{2, 1, 1}))
                .build(), "positions: expected rank 2 [batch, P], got rank 3 [2, 1, 1]");
    }

    @Test
    void positionsWhoseBytesDoNotMatchTheirShape() {
        expect(bertPair().toBuilder().setPositions(TensorCodec.encodeInts(new int[]{1, 2}, new long[]{2, 2}))
                .build(), "tensor 'positions'", "needs 16 bytes, got 8");
    }

    @Test
    void positionsForAnotherBatch() {
        expect(bertPair().toBuilder().setPositions(positions(3, 1, 2, 3)).build(),
                "positions: expected batch 2 (the request's examples, from inputs), got 3 (shape [3, 1])");
        expect(InferRequest.newBuilder().setModel("mlm").addTexts(TextInput.newBuilder().setText("the cat"))
                .setPositions(positions(2, 1, 2)).build(), "expected batch 1", "from texts", "got 2");
    }

    @Test
    void positionPastTheSequence() {
        expect(bertPair().toBuilder().setPositions(positions(2, 0, 1, 7, 2)).build(),
                "positions: value 7 at [1, 0] (example 1) is outside [0, 7)",
                "example 1's sequence length (axis 1 of input '", "expected -1 (none)");
    }

    @Test
    void positionBelowMinusOne() {
        expect(bertPair().toBuilder().setPositions(positions(2, 0, -2, 1, 2)).build(),
                "positions: value -2 at [0, 1] (example 0) is outside [0, 7)", "expected -1 (none)");
    }

    @Test
    void positionsWithoutAnOutputThatHasASequenceAxis() {
        expect(bertPair().toBuilder().addOutputs("logits").addOutputs("pooled_output")
                        .setPositions(positions(2, 1, 2)).build(),
                "positions: none of the requested outputs of model 'bert' has a sequence axis",
                "logits [batch, 3]", "pooled_output [batch, 16]");
    }

    @Test
    void sequenceAxisIsRecognisedByNameSizeOrAbsenceOfAName() {
        var inputs = Map.of("input_ids", new TensorSpec("input_ids", ElementType.INT64, new long[]{-1, -1},
                new String[]{"batch", "seq"}));
        assertTrue(RequestPositions.hasSequenceAxis(spec(new long[]{-1, -1, 8}, "batch", "seq", ""), inputs));
        assertTrue(RequestPositions.hasSequenceAxis(spec(new long[]{-1, -1, 8}, "", "", ""), inputs));
        assertTrue(RequestPositions.hasSequenceAxis(spec(new long[]{-1, -1, 8}, "a", "x_dynamic_axes_2", ""),
                inputs));
        assertFalse(RequestPositions.hasSequenceAxis(spec(new long[]{-1, -1, 8}, "batch", "heads", ""), inputs));
        assertFalse(RequestPositions.hasSequenceAxis(spec(new long[]{-1, 4, 8}, "batch", "", ""), inputs));
        assertFalse(RequestPositions.hasSequenceAxis(spec(new long[]{-1, -1}, "batch", "seq"), inputs));
        var fixed = Map.of("input_ids", new TensorSpec("input_ids", ElementType.INT64, new long[]{-1, 128},
                new String[]{"batch", ""}));
        assertTrue(RequestPositions.hasSequenceAxis(spec(new long[]{-1, 128, 8}, "batch", "", ""), fixed));
    }

    private static TensorSpec spec(long[] shape, String... names) {
        return new TensorSpec("out", ElementType.FLOAT, shape, names);
    }
}
