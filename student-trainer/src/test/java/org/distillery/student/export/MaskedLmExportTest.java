package org.distillery.student.export;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.distillery.student.TestStudents;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A masked-LM student exports as Hugging Face's {@code BertForMaskedLM} computes it: outputs {@code logits
 * [batch, sequence, vocab]} and {@code last_hidden_state}, the decoder tied to the word embeddings (one initializer
 * feeding both the lookup and the output projection), equal to DJL on padded batches; the head at chosen positions
 * equals the head at every position, gathered.
 */
@Timeout(300)
class MaskedLmExportTest {
    private static final StudentConfig CONFIG = new StudentConfig(StudentKind.BERT_MLM, 50, 16, 2, 2, 32, 16, 50,
            0.1f);

    @TempDir
    Path dir;

    @Test
    void exportMatchesDjlWithTiedDecoder() throws Exception {
        Path out = dir.resolve("mlm.onnx");
        int batch = 2;
        int length = 7;
        long[] ids = new long[batch * length];
        long[] mask = new long[batch * length];
        int[] real = {7, 4};
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < real[b]; t++) {
                ids[b * length + t] = 1 + (5L * b + 3L * t) % 49;
                mask[b * length + t] = 1;
            }
        }
        long[] types = new long[batch * length];
        float[] djlLogits;
        float[] djlHidden;
        float[] gathered;
        long[] flat = {2, 5, 8};
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = TestStudents.perturbed(CONFIG, manager, 5, 0.1f);
            OnnxStudentExporter.export(student, CONFIG, Map.of(), out, manager);
            Shape shape = new Shape(batch, length);
            ParameterStore store = new ParameterStore(manager, false);
            NDList all = student.forward(store, new NDList(manager.create(ids, shape), manager.create(mask, shape),
                    manager.create(types, shape)), false);
            assertEquals(new Shape(batch, length, 50), all.get(0).getShape());
            djlLogits = all.get(0).toFloatArray();
            djlHidden = all.get(1).toFloatArray();
            NDList some = student.forward(store, new NDList(manager.create(ids, shape), manager.create(mask, shape),
                    manager.create(types, shape), manager.create(flat)), false);
            assertEquals(new Shape(3, 50), some.get(0).getShape());
            assertEquals(new Shape(3, 16), some.get(1).getShape());
            gathered = some.get(0).toFloatArray();
        }
        for (int n = 0; n < flat.length; n++) {
            for (int v = 0; v < 50; v++) {
                assertEquals(djlLogits[(int) flat[n] * 50 + v], gathered[n * 50 + v], 1e-5,
                        "head at position " + flat[n]);
            }
        }
        OnnxMl.ModelProto model = OnnxMl.ModelProto.parseFrom(Files.readAllBytes(out));
        List<String> tied = model.getGraph().getInitializerList().stream().map(OnnxMl.TensorProto::getName)
                .filter(n -> n.contains("word_embeddings")).toList();
        assertEquals(List.of("embeddings.word_embeddings.weight"), tied, "one word-embedding matrix");
        long users = model.getGraph().getNodeList().stream()
                .filter(node -> node.getInputList().contains("embeddings.word_embeddings.weight")).count();
        assertEquals(2, users, "the lookup and the decoder read the same initializer");
        assertTrue(model.getGraph().getInitializerList().stream()
                .anyMatch(i -> i.getName().equals("cls.predictions.bias")));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] dims = {batch, length};
        try (OrtSession session = env.createSession(out.toString(), new OrtSession.SessionOptions());
             OnnxTensor a = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), dims);
             OnnxTensor b = OnnxTensor.createTensor(env, LongBuffer.wrap(mask), dims);
             OnnxTensor c = OnnxTensor.createTensor(env, LongBuffer.wrap(types), dims);
             OrtSession.Result r = session.run(Map.of("input_ids", a, "attention_mask", b, "token_type_ids", c))) {
            assertEquals(List.of("logits", "last_hidden_state"), List.copyOf(session.getOutputNames()));
            float[] logits = floats(r, "logits");
            float[] hidden = floats(r, "last_hidden_state");
            assertEquals(djlLogits.length, logits.length);
            for (int i = 0; i < logits.length; i++) {
                assertEquals(djlLogits[i], logits[i], 1e-4, "logits[" + i + "]");
            }
            for (int i = 0; i < hidden.length; i++) {
                assertEquals(djlHidden[i], hidden[i], 1e-4, "last_hidden_state[" + i + "]");
            }
            assertNotEquals(logits[0], logits[50]);
        }
    }

    private static float[] floats(OrtSession.Result result, String name) {
        FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }
}
