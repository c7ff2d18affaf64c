package org.distillery.common.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import org.distillery.common.testing.TestTeachers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxGraphWriterTest {
    @TempDir
    Path dir;

    @Test
    void mlpMatchesHandComputation() throws Exception {
        int in = 4, hidden = 5, classes = 3;
        Path file = TestTeachers.mlp(dir.resolve("mlp.onnx"), in, hidden, classes, 7);
        RandomWeights w = new RandomWeights(7, 0.5);
        float[] w1 = w.get("fc1.weight", new long[]{hidden, in});
        float[] b1 = w.get("fc1.bias", new long[]{hidden});
        float[] w2 = w.get("fc2.weight", new long[]{classes, hidden});
        float[] b2 = w.get("fc2.bias", new long[]{classes});
        float[] x = {0.5f, -1f, 2f, 0.25f};
        float[] h = new float[hidden];
        for (int o = 0; o < hidden; o++) {
            float s = b1[o];
            for (int i = 0; i < in; i++) {
                s += x[i] * w1[o * in + i];
            }
            h[o] = Math.max(0, s);
        }
        float[] expected = new float[classes];
        for (int o = 0; o < classes; o++) {
            float s = b2[o];
            for (int i = 0; i < hidden; i++) {
                s += h[i] * w2[o * hidden + i];
            }
            expected[o] = s;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[]{1, in});
             OrtSession.Result result = session.run(Map.of("features", input))) {
            float[][] logits = (float[][]) result.get("logits").get().getValue();
            for (int o = 0; o < classes; o++) {
                assertEquals(expected[o], logits[0][o], 1e-5f);
            }
        }
    }

    @Test
    void bertGraphDeclaresNamedDimsExactInitializerNamesAndOpset() throws Exception {
        Path file = TestTeachers.tinyBert(dir.resolve("bert.onnx"), 1);
        OnnxMl.ModelProto model;
        try (InputStream stream = Files.newInputStream(file)) {
            model = OnnxMl.ModelProto.parseFrom(stream);
        }
        assertEquals(OnnxGraphWriter.OPSET, model.getOpsetImport(0).getVersion());
        Set<String> initializers = model.getGraph().getInitializerList().stream().map(OnnxMl.TensorProto::getName)
                .collect(Collectors.toSet());
        assertTrue(initializers.contains("embeddings.word_embeddings.weight"), initializers.toString());
        assertTrue(initializers.contains("encoder.layer.1.attention.self.query.weight"));
        assertTrue(initializers.contains("classifier.bias"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            TensorInfo ids = (TensorInfo) session.getInputInfo().get("input_ids").getInfo();
            assertArrayEquals(new String[]{"batch", "sequence"}, ids.getDimensionNames());
            TensorInfo hidden = (TensorInfo) session.getOutputInfo().get("last_hidden_state").getInfo();
            assertEquals("sequence", hidden.getDimensionNames()[1]);
            assertEquals("bert", session.getMetadata().getCustomMetadata().get("kind"));
            long[][] tokens = {{2, 10, 11, 3}};
            try (OnnxTensor t = OnnxTensor.createTensor(env, tokens);
                 OnnxTensor m = OnnxTensor.createTensor(env, new long[][]{{1, 1, 1, 1}});
                 OnnxTensor tt = OnnxTensor.createTensor(env, new long[][]{{0, 0, 0, 0}});
                 OrtSession.Result r = session.run(Map.of("input_ids", t, "attention_mask", m,
                         "token_type_ids", tt))) {
                float[][] logits = (float[][]) r.get("logits").get().getValue();
                assertEquals(3, logits[0].length);
                float[][][] states = (float[][][]) r.get("last_hidden_state").get().getValue();
                assertEquals(4, states[0].length);
                assertEquals(16, states[0][0].length);
            }
        }
    }
}
