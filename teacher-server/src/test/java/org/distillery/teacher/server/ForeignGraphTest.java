package org.distillery.teacher.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.proto.v1.VocabularySelection;
import org.distillery.teacher.batching.BatchingOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Graphs no code here wrote: tiny randomly initialised Hugging Face BERT, DistilBERT and RoBERTa classifiers exported
 * by torch's ONNX exporter (see {@code hf/export_tiny_hf.py}). Two requests of different lengths share one padded
 * run; each must match what torch computed for that example alone.
 */
@Timeout(120)
class ForeignGraphTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"bert", "distilbert", "roberta"})
    void servedExportMatchesTorch(String name) throws Exception {
        JsonObject expected = json("/hf/" + name + ".expected.json");
        Path model = dir.resolve(name + ".onnx");
        try (InputStream in = getClass().getResourceAsStream("/hf/" + name + ".onnx")) {
            Files.copy(in, model);
        }
        long padId = expected.get("pad_id").getAsLong();
        ServerFixture.Builder builder = ServerFixture.builder().batching(new BatchingOptions(2, 2_000_000, 16));
        builder.registry().addModel(name, model, null, padId, null);
        try (ServerFixture fixture = builder.start()) {
            ModelInfo info = fixture.blocking().getModelInfo(ModelInfoRequest.newBuilder().setModel(name).build());
            assertEquals(3, info.getLabelCount());
            List<CompletableFuture<InferResponse>> futures = new ArrayList<>();
            JsonArray examples = expected.getAsJsonArray("examples");
            for (JsonElement e : examples) {
                InferRequest.Builder request = InferRequest.newBuilder().setModel(name);
                JsonObject inputs = e.getAsJsonObject().getAsJsonObject("inputs");
                for (String input : inputs.keySet()) {
                    long[] values = longs(inputs.getAsJsonArray(input));
                    request.putInputs(input, TensorCodec.encodeLongs(values, new long[]{1, values.length}));
                }
                futures.add(CompletableFuture.supplyAsync(() -> fixture.blocking().infer(request.build())));
            }
            for (int i = 0; i < examples.size(); i++) {
                JsonObject example = examples.get(i).getAsJsonObject();
                InferResponse r = futures.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(2, r.getTimings().getBatchSize(), "both examples ran in one padded batch");
                int length = example.getAsJsonObject("inputs").getAsJsonArray("input_ids").size();
                assertEquals(List.of(1L, (long) length, 32L),
                        r.getOutputsMap().get("last_hidden_state").getShapeList());
                Requests.assertClose(floats(example.getAsJsonArray("logits")),
                        InferenceParityTest.decode(r, "logits"), 1e-4, name + " logits " + i);
                float[] hidden = InferenceParityTest.decode(r, "last_hidden_state");
                Requests.assertClose(floats(example.getAsJsonArray("last_hidden_state_first_token")),
                        Arrays.copyOfRange(hidden, 0, 32), 1e-4, name + " hidden " + i);
            }
        }
    }

    /**
     * The Hugging Face {@code BertForMaskedLM} export (hf/export_tiny_hf_mlm.py) served unmodified: asked for the
     * probed positions only, with its distribution as TOP_K log-probabilities, it answers torch's top tokens, their
     * log-probabilities (logit − logsumexp) and the last hidden state there.
     */
    @Test
    void servedMaskedLmExportAnswersTorchsTopTokensAtThePositionsAskedFor() throws Exception {
        JsonObject expected = json("/hf/bert_mlm.expected.json");
        Path model = dir.resolve("bert_mlm.onnx");
        try (InputStream in = getClass().getResourceAsStream("/hf/bert_mlm.onnx")) {
            Files.copy(in, model);
        }
        int k = expected.get("top_k").getAsInt();
        int hidden = expected.get("hidden_size").getAsInt();
        ServerFixture.Builder builder = ServerFixture.builder();
        builder.registry().addModel("mlm", model, null, 0L, null);
        try (ServerFixture fixture = builder.start()) {
            for (JsonElement e : expected.getAsJsonArray("examples")) {
                JsonObject example = e.getAsJsonObject();
                InferRequest.Builder request = InferRequest.newBuilder().setModel("mlm").addOutputs("logits")
                        .addOutputs("last_hidden_state").setVocabulary(VocabularySelection.newBuilder()
                                .setMode(VocabularySelection.Mode.TOP_K).setK(k));
                JsonObject inputs = example.getAsJsonObject("inputs");
                for (String input : inputs.keySet()) {
                    long[] values = longs(inputs.getAsJsonArray(input));
                    request.putInputs(input, TensorCodec.encodeLongs(values, new long[]{1, values.length}));
                }
                JsonArray probes = example.getAsJsonArray("probes");
                int[] positions = new int[probes.size()];
                for (int i = 0; i < positions.length; i++) {
                    positions[i] = probes.get(i).getAsJsonObject().get("position").getAsInt();
                }
                request.setPositions(TensorCodec.encodeInts(positions, new long[]{1, positions.length}));
                InferResponse r = fixture.blocking().infer(request.build());
                assertEquals(List.of((long) positions.length, (long) k), r.getOutputsMap().get("logits").getShapeList());
                assertEquals(List.of((long) positions.length, (long) hidden),
                        r.getOutputsMap().get("last_hidden_state").getShapeList());
                float[] logProbs = InferenceParityTest.decode(r, "logits");
                int[] ids = TensorCodec.decodeInts("ids", r.getTopKIndicesMap().get("logits"));
                float[] states = InferenceParityTest.decode(r, "last_hidden_state");
                for (int i = 0; i < positions.length; i++) {
                    JsonObject probe = probes.get(i).getAsJsonObject();
                    long[] topIds = longs(probe.getAsJsonArray("top_indices"));
                    float[] topLogits = floats(probe.getAsJsonArray("top_logits"));
                    double lse = probe.get("logsumexp").getAsDouble();
                    for (int j = 0; j < k; j++) {
                        assertEquals(topIds[j], ids[i * k + j], "position " + positions[i] + " rank " + j);
                        assertEquals(topLogits[j] - lse, logProbs[i * k + j], 1e-4,
                                "log-probability at position " + positions[i] + " rank " + j);
                    }
                    Requests.assertClose(floats(probe.getAsJsonArray("last_hidden_state")),
                            Arrays.copyOfRange(states, i * hidden, (i + 1) * hidden), 1e-4,
                            "hidden state at position " + positions[i]);
                }
            }
        }
    }

    private JsonObject json(String resource) throws Exception {
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
    }

    private static long[] longs(JsonArray a) {
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    private static float[] floats(JsonArray a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsFloat();
        }
        return out;
    }
}
