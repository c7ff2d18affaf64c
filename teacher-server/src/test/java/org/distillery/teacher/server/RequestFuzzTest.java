package org.distillery.teacher.server;

import ai.onnxruntime.OrtException;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import org.distillery.common.errors.ServingException;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.Tensor;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fuzzes request decoding and validation: bytes → {@link InferRequest#parseFrom} → {@link InferencePipeline#infer}
 * on real served models (an MLP, a tiny BERT with and without a tokenizer, an ensemble of two MLPs), each with its
 * dynamic batcher and ONNX Runtime session, under small limits. Properties:
 * <ul>
 *   <li>whatever a request carries, it gets a response or a {@link ServingException}, within 20 s; nothing else
 *   escapes, neither from the checks nor from the run;</li>
 *   <li>a refusal by the checks is never UNKNOWN or INTERNAL: problems with the request are the client's;</li>
 *   <li>INTERNAL from the run only as ONNX Runtime's own refusal of values the signature allows (a token id outside
 *   the embedding table, a sequence longer than the position table), as {@code BadInputTest} pins;</li>
 *   <li>a response echoes the request id and its tensors have as many bytes as their shapes say.</li>
 * </ul>
 * Under plain {@code mvn test} the requests in {@code RequestFuzzTestInputs/} are replayed; {@code bin/fuzz} fuzzes.
 */
class RequestFuzzTest {
    private static final long ANSWER_SECONDS = 20;

    @TempDir
    static Path dir;
    private static ModelRegistry registry;
    private static ExecutorService responses;
    private static InferencePipeline pipeline;

    @BeforeAll
    static void serve() throws Exception {
        Path mlp = TestTeachers.mlp(dir.resolve("mlp.onnx"), 6, 8, 4, 1);
        Path mlp2 = TestTeachers.mlp(dir.resolve("mlp2.onnx"), 6, 8, 4, 2);
        Path bert = TestTeachers.tinyBert(dir.resolve("bert.onnx"), 3);
        Path tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
        ModelRegistry.Builder builder = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(8, 0, 64));
        try {
            registry = builder.addModel("mlp", mlp, null, null, null)
                    .addModel("mlp2", mlp2, null, null, null)
                    .addModel("bert", bert, null, null, null)
                    .addModel("text", bert, tokenizer, null, TestTeachers.TINY_BERT.maxPositions())
                    .addEnsemble("pair", java.util.List.of("mlp", "mlp2"), CombineMode.MEAN_PROBS)
                    .build();
        } catch (Exception e) {
            builder.abandon();
            throw e;
        }
        responses = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-responses");
            t.setDaemon(true);
            return t;
        });
        pipeline = new InferencePipeline(registry, new ServerLimits(16, 4096, 8, 1 << 20), responses);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close(1000);
        }
        if (responses != null) {
            responses.shutdownNow();
        }
    }

    @FuzzTest
    @DictionaryEntries({"mlp", "mlp2", "bert", "text", "pair", "features", "input_ids", "attention_mask",
            "token_type_ids", "logits", "hidden", "pooled_output", "last_hidden_state"})
    void anyRequestGetsAResponseOrAServingStatus(byte[] bytes) throws Exception {
        InferRequest request;
        try {
            request = InferRequest.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return; // not a request: gRPC refuses it before the service sees it
        }
        CompletableFuture<InferResponse> future;
        try {
            future = pipeline.infer(request, null);
        } catch (ServingException e) {
            assertNotServerFault(e, "the checks");
            return;
        }
        InferResponse response;
        try {
            response = future.get(ANSWER_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail("no answer in " + ANSWER_SECONDS + " s to " + request);
            return;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (!(cause instanceof ServingException)) {
                throw new AssertionError("the run failed with " + cause + ", not a ServingException", cause);
            }
            ServingException failure = (ServingException) cause;
            if (failure.code() == Status.Code.INTERNAL && failure.getCause() instanceof OrtException) {
                return; // ONNX Runtime refused values the graph's signature allows
            }
            assertNotServerFault(failure, "the run");
            return;
        }
        assertEquals(request.getRequestId(), response.getRequestId());
        check(response.getOutputsMap());
        check(response.getTopKIndicesMap());
        check(response.getSampleWeightsMap());
        response.getMemberOutputsList().forEach(m -> {
            check(m.getOutputsMap());
            check(m.getTopKIndicesMap());
        });
    }

    private static void assertNotServerFault(ServingException e, String where) {
        assertTrue(e.code() != Status.Code.UNKNOWN && e.code() != Status.Code.INTERNAL,
                () -> where + " answered " + e.code() + ": " + e.getMessage());
    }

    private static void check(Map<String, Tensor> tensors) {
        tensors.forEach((name, t) -> TensorCodec.checkByteLength(name, t));
    }
}
