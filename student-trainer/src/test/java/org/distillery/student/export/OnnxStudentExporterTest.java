package org.distillery.student.export;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.ManagedChannel;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.Students;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Export parity for both student kinds on padded batches; an exported student serves as a teacher unchanged. */
class OnnxStudentExporterTest {
    @TempDir
    Path dir;

    private static StudentConfig config(String kind) {
        return new StudentConfig(kind, 60, 16, 2, 2, 32, 24, 3, 0.1f);
    }

    private static AbstractBlock trainedLookingStudent(StudentConfig config, NDManager manager) {
        Engine.getInstance().setRandomSeed(3);
        AbstractBlock student = Students.create(config, manager);
        // Non-trivial LayerNorm scales and biases, as training would leave them.
        student.getParameters().forEach(p -> {
            NDArray view = p.getValue().getArray().stopGradient();
            view.addi(manager.randomNormal(0, 0.1f, view.getShape(), view.getDataType()));
            view.close();
        });
        return student;
    }

    @ParameterizedTest
    @ValueSource(strings = {StudentConfig.BERT, StudentConfig.FASTTEXT})
    void exportedStudentMatchesDjlOnPaddedBatches(String kind) throws Exception {
        StudentConfig config = config(kind);
        Path out = dir.resolve(kind + ".onnx");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = trainedLookingStudent(config, manager);
            OnnxStudentExporter.Parity parity = OnnxStudentExporter.export(student, config,
                    Map.of("distillery.architecture", kind), out, manager);
            assertTrue(parity.logits() <= 1e-4 && parity.pooled() <= 1e-4, parity.toString());
        }
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(out.toString(),
                new OrtSession.SessionOptions())) {
            assertEquals(Set.of("input_ids", "attention_mask", "token_type_ids"), session.getInputNames());
            assertTrue(session.getOutputNames().containsAll(Set.of("logits", "pooled_output")));
            assertEquals(kind, session.getMetadata().getCustomMetadata().get("distillery.architecture"));
        }
    }

    @Test
    void failedParityLeavesNoFile() throws Exception {
        StudentConfig config = config(StudentConfig.BERT);
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
        StudentConfig config = config(StudentConfig.BERT);
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
