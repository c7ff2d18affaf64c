package org.distillery.teacher.server;

import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.proto.v1.TextInput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server outputs equal in-process ONNX Runtime: fp32 exactly (≤ 1e-6), fp16/bf16 within their rounding. */
@Timeout(120)
class InferenceParityTest {
    @TempDir
    static Path dir;

    private ServerFixture fixture;
    private Path mlp;
    private Path bert;

    @BeforeEach
    void start() throws Exception {
        mlp = TestTeachers.mlp(dir.resolve("mlp.onnx"), 6, 8, 4, 11);
        bert = TestTeachers.tinyBert(dir.resolve("bert.onnx"), 5);
        Path tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
        fixture = ServerFixture.builder().model("mlp", mlp).model("bert", bert, tokenizer).start();
    }

    @AfterEach
    void stop() throws Exception {
        fixture.close();
    }

    @Test
    void mlpOutputsMatchInProcessRuntime() throws Exception {
        float[] x = Requests.randomFloats(1, 3 * 6);
        InferResponse response = fixture.blocking().infer(Requests.mlp("mlp", x, 3, 6).toBuilder()
                .setRequestId("r-1").build());
        Map<String, float[]> expected = Requests.reference(mlp, Map.of("features", new Object[]{x,
                new long[]{3, 6}}));
        assertEquals("r-1", response.getRequestId());
        assertEquals(List.of("mlp"), response.getMembersUsedList());
        assertEquals(List.of(3L, 4L), response.getOutputsMap().get("logits").getShapeList());
        Requests.assertClose(expected.get("logits"), decode(response, "logits"), 1e-6, "logits");
        Requests.assertClose(expected.get("hidden"), decode(response, "hidden"), 1e-6, "hidden");
        assertTrue(response.getTimings().getBatchSize() >= 3);
    }

    @Test
    void halfPrecisionOutputsAreTheReferenceRounded() throws Exception {
        float[] x = Requests.randomFloats(2, 5 * 6);
        Map<String, float[]> expected = Requests.reference(mlp, Map.of("features", new Object[]{x,
                new long[]{5, 6}}));
        for (DataType dtype : new DataType[]{DataType.FLOAT16, DataType.BFLOAT16}) {
            InferResponse r = fixture.blocking().infer(Requests.mlp("mlp", x, 5, 6).toBuilder()
                    .setOutputDtype(dtype).addOutputs("logits").build());
            assertEquals(dtype, r.getOutputsMap().get("logits").getDtype());
            assertEquals(5 * 4 * 2, r.getOutputsMap().get("logits").getData().size());
            assertEquals(1, r.getOutputsCount(), "only the requested output");
            double relative = dtype == DataType.FLOAT16 ? 0x1p-11 : 0x1p-8;
            float[] got = decode(r, "logits");
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected.get("logits")[i], got[i], Math.abs(expected.get("logits")[i]) * relative
                        + 1e-7, dtype + " [" + i + "]");
            }
        }
    }

    @Test
    void topKReturnsLargestValuesAndTheirIndices() throws Exception {
        float[] x = Requests.randomFloats(3, 2 * 6);
        Map<String, float[]> expected = Requests.reference(mlp, Map.of("features", new Object[]{x,
                new long[]{2, 6}}));
        InferResponse r = fixture.blocking().infer(Requests.mlp("mlp", x, 2, 6).toBuilder().setTopK(2)
                .addOutputs("logits").build());
        assertEquals(List.of(2L, 2L), r.getOutputsMap().get("logits").getShapeList());
        int[] indices = TensorCodec.decodeInts("i", r.getTopKIndicesMap().get("logits"));
        float[] values = decode(r, "logits");
        float[] logits = expected.get("logits");
        for (int row = 0; row < 2; row++) {
            int base = row * 4;
            Integer[] order = IntStream.range(0, 4).boxed().sorted(Comparator.comparingDouble(
                    (Integer i) -> logits[base + i]).reversed()).toArray(Integer[]::new);
            assertEquals(order[0], indices[row * 2]);
            assertEquals(order[1], indices[row * 2 + 1]);
            assertEquals(logits[base + order[0]], values[row * 2], 1e-6);
        }
    }

    @Test
    void bertOutputsMatchInProcessRuntime() throws Exception {
        long[] ids = Requests.tokens(9, 7);
        InferResponse r = fixture.blocking().infer(Requests.bert("bert", ids));
        Map<String, float[]> expected = Requests.reference(bert, Requests.bertFeeds(ids));
        for (String output : List.of("logits", "pooled_output", "last_hidden_state")) {
            Requests.assertClose(expected.get(output), decode(r, output), 1e-6, output);
        }
        assertEquals(List.of(1L, 7L, 16L), r.getOutputsMap().get("last_hidden_state").getShapeList());
        assertEquals(0, r.getTimings().getTokenizeUs(), "a request with tensors is not tokenized");
    }

    @Test
    void textsAreTokenizedOnTheServer() throws Exception {
        InferResponse texts = fixture.blocking().infer(InferRequest.newBuilder().setModel("bert")
                .addTexts(TextInput.newBuilder().setText("The cat sat on the mat"))
                .addTexts(TextInput.newBuilder().setText("the dog").setTextPair("a cat"))
                .addOutputs("logits").build());
        long[] first = {2, id("the"), id("cat"), id("sat"), id("on"), id("the"), id("mat"), 3};
        Map<String, float[]> one = Requests.reference(bert, Requests.bertFeeds(first));
        long[] pairIds = {2, id("the"), id("dog"), 3, id("a"), id("cat"), 3};
        long[] shape = {1, pairIds.length};
        long[] ones = new long[pairIds.length];
        Arrays.fill(ones, 1);
        Map<String, float[]> two = Requests.reference(bert, Map.of("input_ids", new Object[]{pairIds, shape},
                "attention_mask", new Object[]{ones, shape},
                "token_type_ids", new Object[]{new long[]{0, 0, 0, 0, 1, 1, 1}, shape}));
        float[] got = decode(texts, "logits");
        assertEquals(6, got.length);
        Requests.assertClose(one.get("logits"), Arrays.copyOfRange(got, 0, 3), 1e-5, "text 1");
        Requests.assertClose(two.get("logits"), Arrays.copyOfRange(got, 3, 6), 1e-5, "text pair");
        // Tokenizing two texts, one a pair, through the native tokenizer takes well over the 1 µs unit.
        assertTrue(texts.getTimings().getTokenizeUs() > 0, "tokenize_us of a text request: "
                + texts.getTimings().getTokenizeUs());
    }

    @Test
    void modelInfoDescribesInputsOutputsAndLabels() {
        ModelInfo info = fixture.blocking().getModelInfo(ModelInfoRequest.newBuilder().setModel("bert").build());
        assertEquals(3, info.getLabelCount());
        assertEquals("logits", info.getLogitsOutput());
        assertTrue(info.getAcceptsTexts());
        assertEquals(List.of("input_ids", "attention_mask", "token_type_ids"),
                info.getInputsList().stream().map(s -> s.getName()).toList());
        assertEquals(DataType.INT64, info.getInputs(0).getDtype());
        assertEquals(List.of("batch", "sequence"), info.getInputs(0).getDimNamesList());
        assertEquals(List.of(-1L, -1L), info.getInputs(0).getShapeList());
        assertEquals(List.of("logits", "pooled_output", "last_hidden_state"),
                info.getOutputsList().stream().map(s -> s.getName()).toList());
        ModelInfo mlpInfo = fixture.blocking().getModelInfo(ModelInfoRequest.newBuilder().setModel("mlp").build());
        assertEquals(4, mlpInfo.getLabelCount());
        assertEquals(DataType.FLOAT32, mlpInfo.getInputs(0).getDtype());
        assertEquals(List.of(-1L, 6L), mlpInfo.getInputs(0).getShapeList());
        assertEquals(false, mlpInfo.getAcceptsTexts());
    }

    private static long id(String token) {
        return TestTokenizers.id(token);
    }

    static float[] decode(InferResponse r, String output) {
        return TensorCodec.decodeFloats(output, r.getOutputsMap().get(output));
    }
}
