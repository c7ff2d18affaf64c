package org.distillery.student.export;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.ManagedChannel;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.student.TestStudents;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export parity for both student kinds on padded batches; an exported student serves as a teacher unchanged. */
@org.junit.jupiter.api.Timeout(300)
class OnnxStudentExporterTest {
    @TempDir
    Path dir;

    private static StudentConfig config(StudentKind kind) {
        return new StudentConfig(kind, 60, 16, 2, 2, 32, 24, 3, 0.1f);
    }

    private static AbstractBlock trainedLookingStudent(StudentConfig config, NDManager manager) {
        return TestStudents.perturbed(config, manager, 3, 0.1f);
    }

    @ParameterizedTest
    @EnumSource(value = StudentKind.class, names = {"BERT", "FASTTEXT"})
    void exportedStudentMatchesDjlOnPaddedBatches(StudentKind kind) throws Exception {
        StudentConfig config = config(kind);
        Path out = dir.resolve(kind + ".onnx");
        // Three rows of different lengths padded with id 0 and mask 0; the second segment typed 1.
        int batch = 3;
        int length = 9;
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        long[] types = new long[batch * length];
        int[] real = {9, 5, 2};
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < real[b]; t++) {
                ids[b * length + t] = 1 + (7L * b + 11L * t) % (config.vocabSize() - 1);
                mask[b * length + t] = 1;
                types[b * length + t] = t >= real[b] / 2 ? 1 : 0;
            }
        }
        float[] djlLogits;
        float[] djlPooled;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = trainedLookingStudent(config, manager);
            OnnxStudentExporter.export(student, config, Map.of("distillery.architecture", kind.id()), out, manager);
            Shape shape = new Shape(batch, length);
            NDList djl = student.forward(new ParameterStore(manager, false), new NDList(manager.create(ids, shape),
                    manager.create(mask, shape), manager.create(types, shape)), false);
            djlLogits = djl.get(0).toFloatArray();
            djlPooled = djl.get(1).toFloatArray();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = {batch, length};
        try (OrtSession session = env.createSession(out.toString(), new OrtSession.SessionOptions());
             OnnxTensor idsTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape);
             OnnxTensor maskTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape);
             OnnxTensor typesTensor = OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape);
             OrtSession.Result result = session.run(Map.of("input_ids", idsTensor, "attention_mask", maskTensor,
                     "token_type_ids", typesTensor))) {
            assertEquals(Set.of("input_ids", "attention_mask", "token_type_ids"), session.getInputNames());
            assertEquals(kind.id(), session.getMetadata().getCustomMetadata().get("distillery.architecture"));
            float[] onnxLogits = floats(result, "logits");
            float[] onnxPooled = floats(result, "pooled_output");
            assertEquals(batch * config.labels(), onnxLogits.length);
            assertEquals(batch * config.hidden(), onnxPooled.length);
            for (int i = 0; i < djlLogits.length; i++) {
                assertEquals(djlLogits[i], onnxLogits[i], 1e-4, "logits[" + i + "]");
            }
            for (int i = 0; i < djlPooled.length; i++) {
                assertEquals(djlPooled[i], onnxPooled[i], 1e-4, "pooled_output[" + i + "]");
            }
            // The rows differ: the check would notice rows swapped or padding leaking into the result.
            assertNotEquals(onnxLogits[0], onnxLogits[config.labels()]);
        }
    }

    private static float[] floats(OrtSession.Result result, String name) throws Exception {
        FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }

    @Test
    void failedParityLeavesNoFile() throws Exception {
        StudentConfig config = config(StudentKind.BERT);
        Path out = dir.resolve("never.onnx");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = trainedLookingStudent(config, manager);
            ExportException e = assertThrows(ExportException.class, () -> OnnxStudentExporter.export(student,
                    config, Map.of(), out, manager, -1));
            assertTrue(e.getMessage().contains("parity check failed") && e.getMessage().contains("never.onnx"),
                    e.getMessage());
        }
        assertFalse(Files.exists(out));
        try (var left = Files.list(dir)) {
            assertEquals(0, left.count(), "no temporary file left either");
        }
    }

    @Test
    void exportedStudentIsServedByTheTeacherServerUnchanged() throws Exception {
        StudentConfig config = config(StudentKind.BERT);
        Path out = dir.resolve("served.onnx");
        long[] ids = {2, 14, 7, 33, 3};
        float[] djl;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = trainedLookingStudent(config, manager);
            OnnxStudentExporter.export(student, config, Map.of(), out, manager);
            Shape shape = new Shape(1, ids.length);
            djl = student.forward(new ParameterStore(manager, false), new NDList(manager.create(ids, shape),
                    manager.ones(shape, ai.djl.ndarray.types.DataType.INT64),
                    manager.zeros(shape, ai.djl.ndarray.types.DataType.INT64)), false).get(0).toFloatArray();
        }
        ModelRegistry registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(8, 100, 16)).addModel("student", out, null, null, null).build();
        String name = InProcessServerBuilder.generateName();
        TeacherServer server = new TeacherServer(InProcessServerBuilder.forName(name), registry,
                ServerLimits.defaults()).start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
        try {
            long[] ones = {1, 1, 1, 1, 1};
            InferResponse r = TeacherServiceGrpc.newBlockingStub(channel).infer(InferRequest.newBuilder()
                    .setModel("student").addOutputs("logits")
                    .putInputs("input_ids", TensorCodec.encodeLongs(ids, new long[]{1, 5}))
                    .putInputs("attention_mask", TensorCodec.encodeLongs(ones, new long[]{1, 5}))
                    .putInputs("token_type_ids", TensorCodec.encodeLongs(new long[5], new long[]{1, 5})).build());
            float[] served = TensorCodec.decodeFloats("logits", r.getOutputsMap().get("logits"));
            for (int i = 0; i < djl.length; i++) {
                assertEquals(djl[i], served[i], 1e-4);
            }
            assertEquals(List.of(1L, 3L), r.getOutputsMap().get("logits").getShapeList());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdown(1000);
        }
    }
}
