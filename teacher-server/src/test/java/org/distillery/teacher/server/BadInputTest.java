package org.distillery.teacher.server;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.EnsembleOptions;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.proto.v1.Tensor;
import org.distillery.proto.v1.TextInput;
import org.distillery.teacher.batching.BatchingOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad input gets a precise status naming the tensor, expected and actual; the server keeps serving. */
@Timeout(120)
class BadInputTest {
    @TempDir
    static Path dir;
    private static ServerFixture fixture;
    private static Path mlp;
    private ServerFixture extra;

    @BeforeAll
    static void start() throws Exception {
        mlp = TestTeachers.mlp(dir.resolve("mlp.onnx"), 6, 8, 4, 2);
        fixture = ServerFixture.builder().limits(new ServerLimits(64, 10_000, 8, 64 << 20))
                .model("mlp", mlp).model("bert", TestTeachers.tinyBert(dir.resolve("bert.onnx"), 2))
                .ensemble("pair", CombineMode.MEAN_LOGITS, "mlp").start();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    @AfterEach
    void closeExtra() throws Exception {
        if (extra != null) {
            extra.close();
        }
    }

    private static InferRequest bert() {
        return Requests.bert("bert", Requests.tokens(1, 7));
    }

    private static InferRequest bertWith(String input, Tensor tensor) {
        return bert().toBuilder().putInputs(input, tensor).build();
    }

    private static Tensor longs(long[] shape, int elements) {
        return TensorCodec.encodeLongs(new long[elements], new long[]{1}).toBuilder().clearShape()
                .addAllShape(java.util.Arrays.stream(shape).boxed().toList()).build();
    }

    /** Asserts the status and description, then that a valid request on the same server still succeeds. */
    private static void expect(Status.Code code, InferRequest request, String... fragments) {
        Requests.assertRefused(() -> fixture.blocking().infer(request), code, fragments);
        InferResponse ok = fixture.blocking().infer(bert());
        assertEquals(List.of(1L, 3L), ok.getOutputsMap().get("logits").getShapeList());
    }

    @Test
    void unknownModel() {
        expect(Status.Code.NOT_FOUND, bert().toBuilder().setModel("nope").build(), "'nope'", "mlp", "bert");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fixture.blocking()
                .getModelInfo(ModelInfoRequest.newBuilder().setModel("nope").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    @Test
    void missingInput() {
        expect(Status.Code.INVALID_ARGUMENT, bert().toBuilder().removeInputs("token_type_ids").build(),
                "missing input 'token_type_ids'", "INT64", "[batch, sequence]");
    }

    @Test
    void unknownInput() {
        expect(Status.Code.INVALID_ARGUMENT, bertWith("pixel_values", longs(new long[]{1, 7}, 7)),
                "unknown input 'pixel_values'", "input_ids");
    }

    @Test
    void wrongDtype() {
        expect(Status.Code.INVALID_ARGUMENT, bertWith("input_ids", TensorCodec.encodeFloats(new float[7],
                new long[]{1, 7}, DataType.FLOAT32)), "input 'input_ids'", "expected dtype INT64", "got FLOAT32");
        expect(Status.Code.INVALID_ARGUMENT, Requests.mlp("mlp", new float[6], 1, 6).toBuilder()
                .putInputs("features", TensorCodec.encodeLongs(new long[6], new long[]{1, 6})).build(),
                "input 'features'", "FLOAT32", "got INT64");
    }

    @Test
    void wrongRank() {
        expect(Status.Code.INVALID_ARGUMENT, bertWith("attention_mask", longs(new long[]{7}, 7)),
                "input 'attention_mask'", "expected rank 2", "got rank 1");
    }

    @Test
    void wrongFixedDimension() {
        expect(Status.Code.INVALID_ARGUMENT, Requests.mlp("mlp", new float[5], 1, 5), "input 'features'",
                "dimension 1 must be 6", "got 5");
    }

    @Test
    void byteLengthNotMatchingShape() {
        Tensor shortData = longs(new long[]{1, 7}, 7).toBuilder().setData(ByteString.copyFrom(new byte[48])).build();
        expect(Status.Code.INVALID_ARGUMENT, bertWith("input_ids", shortData), "'input_ids'", "needs 56 bytes",
                "got 48");
    }

    @Test
    void inputsDisagreeOnBatchSize() {
        expect(Status.Code.INVALID_ARGUMENT, bertWith("attention_mask", longs(new long[]{2, 7}, 14)),
                "disagree on batch size", "'input_ids' has 1", "'attention_mask' has 2");
    }

    @Test
    void inputsDisagreeOnSequenceLength() {
        expect(Status.Code.INVALID_ARGUMENT, bertWith("attention_mask", longs(new long[]{1, 6}, 6)),
                "dimension 'sequence'", "'input_ids' has 7", "'attention_mask' has 6");
    }

    @Test
    void negativeDimension() {
        expect(Status.Code.INVALID_ARGUMENT, bertWith("input_ids", longs(new long[]{1, -7}, 0)), "'input_ids'",
                "dimension 1 is -7");
    }

    @Test
    void batchOverLimit() {
        expect(Status.Code.RESOURCE_EXHAUSTED, Requests.mlp("mlp", new float[65 * 6], 65, 6), "65 examples",
                "limit of 64");
        List<TextInput> texts = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            texts.add(TextInput.newBuilder().setText("x").build());
        }
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fixture.blocking().infer(
                InferRequest.newBuilder().setModel("bert").addAllTexts(texts).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), "no tokenizer is checked first");
    }

    @Test
    void elementsOverLimit() {
        expect(Status.Code.RESOURCE_EXHAUSTED, bertWith("input_ids", longs(new long[]{1, 20_000}, 20_000)),
                "input 'input_ids'", "20000 elements", "10000");
    }

    @Test
    void emptyBatch() {
        expect(Status.Code.INVALID_ARGUMENT, Requests.mlp("mlp", new float[0], 0, 6), "batch size must be >= 1",
                "got 0");
    }

    @Test
    void unknownOutput() {
        expect(Status.Code.INVALID_ARGUMENT, bert().toBuilder().addOutputs("attentions").build(),
                "unknown output 'attentions'", "logits");
    }

    @Test
    void textsToModelWithoutTokenizer() {
        expect(Status.Code.FAILED_PRECONDITION, InferRequest.newBuilder().setModel("bert")
                .addTexts(TextInput.newBuilder().setText("hello")).build(), "'bert'", "without a tokenizer");
    }

    @Test
    void inputsAndTextsTogetherOrNeither() {
        expect(Status.Code.INVALID_ARGUMENT, bert().toBuilder().addTexts(TextInput.newBuilder().setText("x"))
                .build(), "both inputs and texts");
        expect(Status.Code.INVALID_ARGUMENT, InferRequest.newBuilder().setModel("bert").build(),
                "neither inputs nor texts");
    }

    @Test
    void topKLargerThanAxisReturnsTheWholeAxisSortedAndOnlyTheLogitsWhenNoOutputIsNamed() {
        InferResponse r = fixture.blocking().infer(bert().toBuilder().setTopK(4).build());
        assertEquals(List.of(1L, 3L), r.getOutputsMap().get("logits").getShapeList(), "k clamped to the 3 labels");
        assertEquals(List.of("logits"), List.copyOf(r.getTopKIndicesMap().keySet()),
                "with no output named, top_k applies to the logits output alone");
        int[] order = TensorCodec.decodeInts("idx", r.getTopKIndicesMap().get("logits"));
        assertEquals(3, java.util.Arrays.stream(order).distinct().count());
        float[] values = TensorCodec.decodeFloats("logits", r.getOutputsMap().get("logits"));
        assertTrue(values[0] >= values[1] && values[1] >= values[2], java.util.Arrays.toString(values));
        assertEquals(List.of(1L, 16L), r.getOutputsMap().get("pooled_output").getShapeList(),
                "other outputs come whole");
        expect(Status.Code.INVALID_ARGUMENT, bert().toBuilder().setTopK(-1).build(), "top_k must be >= 0");
    }

    @Test
    void tokenIdsAndTypesOutsideTheirTablesAreInvalidArguments() {
        long[] ids = Requests.tokens(1, 7);
        ids[3] = 1_000_000_000L;
        expect(Status.Code.INVALID_ARGUMENT, Requests.bert("bert", ids), "input 'input_ids'", "value 1000000000",
                "[0, 3]", "[0, 100)", "embeddings.word_embeddings.weight");
        ids[3] = -5;
        expect(Status.Code.INVALID_ARGUMENT, Requests.bert("bert", ids), "input 'input_ids'", "value -5",
                "[0, 100)");
        long[] types = new long[7];
        types[2] = 7;
        expect(Status.Code.INVALID_ARGUMENT, bertWith("token_type_ids", TensorCodec.encodeLongs(types,
                new long[]{1, 7})), "input 'token_type_ids'", "value 7", "[0, 2)");
    }

    @Test
    void emptyAndOverlongSequencesAreInvalidArguments() {
        expect(Status.Code.INVALID_ARGUMENT, Requests.bert("bert", new long[0]), "input '", "dimension 1",
                "is 0");
        expect(Status.Code.INVALID_ARGUMENT, Requests.bert("bert", Requests.tokens(2, 65)), "sequence of 65",
                "at most 64", "position table 'embeddings.position_embeddings.weight'");
    }

    @Test
    void maxLengthOnTheModelLimitsTensorInputsToo() throws Exception {
        extra = ServerFixture.builder().model("short", TestTeachers.tinyBert(dir.resolve("short.onnx"), 2), null,
                16).start();
        InferResponse ok = extra.blocking().infer(Requests.bert("short", Requests.tokens(1, 16)));
        assertEquals(List.of(1L, 3L), ok.getOutputsMap().get("logits").getShapeList());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> extra.blocking().infer(Requests.bert("short", Requests.tokens(1, 17))));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("sequence of 17") && e.getStatus().getDescription()
                .contains("at most 16 (max_length)"), e.getStatus().getDescription());
    }

    @Test
    void theHundredMegabyteRequestIsRefusedAtOnce() {
        // [1, 4166666] x 3 inputs: 100 MB of int64, the request that once ran 53 s and left 17 GB resident.
        long[] ids = new long[4_166_666];
        long started = System.nanoTime();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> fixture.blocking()
                .infer(Requests.bert("bert", ids)));
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED
                || e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT, e.getStatus().toString());
        assertTrue(seconds < 1.0, "refused in " + seconds + " s");
    }

    @Test
    void badOutputDtypeTemperatureAndSampling() {
        expect(Status.Code.INVALID_ARGUMENT, bert().toBuilder().setOutputDtype(DataType.INT64).build(),
                "output_dtype", "got INT64");
        expect(Status.Code.INVALID_ARGUMENT, Requests.mlp("pair", new float[6], 1, 6).toBuilder()
                .setEnsemble(EnsembleOptions.newBuilder().setTemperature(-1f)).build(), "temperature", "-1");
        expect(Status.Code.INVALID_ARGUMENT, Requests.mlp("pair", new float[6], 1, 6).toBuilder()
                .setEnsemble(EnsembleOptions.newBuilder().setSampleMembers(3)).build(), "sample_members",
                "[0, 1]", "got 3");
        expect(Status.Code.INVALID_ARGUMENT, bert().toBuilder()
                .setEnsemble(EnsembleOptions.newBuilder().setSampleMembers(2)).build(), "not an ensemble");
    }

    @Test
    void onnxRuntimeFailureIsInternalWithItsMessage() throws Exception {
        // The ids reach the table through an Add, so no bound is known: ONNX Runtime itself fails on id 500.
        extra = ServerFixture.builder().model("unchecked", UncheckedGather.write(dir.resolve("unchecked.onnx")))
                .start();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> extra.blocking().infer(UncheckedGather.request("unchecked", 1, 500, 2)));
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("ONNX Runtime failed on model 'unchecked'")
                && e.getStatus().getDescription().contains("500"), e.getStatus().getDescription());
        assertEquals(List.of(1L, 2L), extra.blocking().infer(UncheckedGather.request("unchecked", 1, 2, 3))
                .getOutputsMap().get("logits").getShapeList());
    }

    @Test
    void aBadRequestOnAStreamIsAnsweredWithItsErrorAndTheStreamGoesOn() throws Exception {
        Collector<InferResponse> answers = new Collector<>();
        StreamObserver<InferRequest> requests = fixture.async().inferStream(answers);
        requests.onNext(bert().toBuilder().setRequestId("good-1").build());
        requests.onNext(bert().toBuilder().setRequestId("bad-2").addOutputs("nope").build());
        long[] ids = Requests.tokens(1, 7);
        ids[0] = 5000;
        requests.onNext(Requests.bert("bert", ids).toBuilder().setRequestId("bad-3").build());
        requests.onNext(bert().toBuilder().setRequestId("good-4").build());
        requests.onCompleted();
        assertTrue(answers.await(30));
        assertEquals(null, answers.failure(), "the stream ends normally");
        Map<String, InferResponse> byId = new java.util.HashMap<>();
        answers.received().forEach(r -> byId.put(r.getRequestId(), r));
        assertEquals(java.util.Set.of("good-1", "bad-2", "bad-3", "good-4"), byId.keySet());
        for (String good : new String[]{"good-1", "good-4"}) {
            assertTrue(!byId.get(good).hasError(), good);
            assertEquals(List.of(1L, 3L), byId.get(good).getOutputsMap().get("logits").getShapeList(), good);
        }
        InferResponse bad = byId.get("bad-2");
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), bad.getError().getCode());
        assertTrue(bad.getError().getMessage().startsWith("unknown output 'nope'"), bad.getError().getMessage());
        assertEquals(0, bad.getOutputsCount());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), byId.get("bad-3").getError().getCode());
        assertTrue(byId.get("bad-3").getError().getMessage().contains("value 5000"));
    }

    @Test
    void bytesThatAreNotARequestGetInvalidArgumentNeverUnknown() {
        byte[] garbage = new byte[64];
        new java.util.Random(3).nextBytes(garbage);
        garbage[0] = (byte) 0xff; // an invalid tag: certainly not protobuf
        io.grpc.MethodDescriptor<byte[], byte[]> raw = io.grpc.MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
                .setFullMethodName("distillery.v1.TeacherService/Infer")
                .setRequestMarshaller(RawBytes.INSTANCE).setResponseMarshaller(RawBytes.INSTANCE).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> io.grpc.stub.ClientCalls
                .blockingUnaryCall(fixture.channel, raw, io.grpc.CallOptions.DEFAULT, garbage));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        assertTrue(e.getStatus().getDescription().contains("not a valid distillery.v1.TeacherService/Infer"),
                e.getStatus().getDescription());
        InferResponse ok = fixture.blocking().infer(bert());
        assertEquals(List.of(1L, 3L), ok.getOutputsMap().get("logits").getShapeList());
    }

    /** Messages as plain bytes, to send what no client library would. */
    private enum RawBytes implements io.grpc.MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public java.io.InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(java.io.InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void fullQueueIsResourceExhausted() throws Exception {
        // One worker busy on a large run (a wide MLP on 1024 examples), a queue of one: the third request is refused.
        Path wide = TestTeachers.mlp(dir.resolve("wide.onnx"), 1024, 4096, 2, 3);
        extra = ServerFixture.builder().batching(new BatchingOptions(1, 0, 1, 1 << 20)).model("wide", wide).start();
        InferRequest big = Requests.mlp("wide", new float[1024 * 1024], 1024, 1024);
        InferRequest small = Requests.mlp("wide", new float[1024], 1, 1024);
        List<StatusRuntimeException> refused = new ArrayList<>();
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            var first = pool.submit(() -> extra.blocking().infer(big));
            Await.until("the large request is queued", Duration.ofSeconds(30),
                    () -> extra.model("wide").batcher().submitted() == 1);
            List<java.util.concurrent.Future<InferResponse>> rest = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                rest.add(pool.submit(() -> extra.blocking().infer(small)));
            }
            first.get(60, TimeUnit.SECONDS);
            for (var f : rest) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    refused.add((StatusRuntimeException) e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(!refused.isEmpty(), "a queue of one took three requests during a long run");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.get(0).getStatus().getCode());
        assertTrue(refused.get(0).getStatus().getDescription().contains("queue is full"));
        assertEquals(List.of(1L, 2L), extra.blocking().infer(small).getOutputsMap().get("logits").getShapeList());
    }
}
