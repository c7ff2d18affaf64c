package org.distillery.teacher.server;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.Tensor;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Test inputs and the in-process ONNX Runtime reference the server is compared against. */
public final class Requests {
    private Requests() {
    }

    public static float[] randomFloats(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return x;
    }

    /** MLP request over {@code features [batch, in]}. */
    public static InferRequest mlp(String model, float[] features, int batch, int in) {
        return InferRequest.newBuilder().setModel(model)
                .putInputs("features", TensorCodec.encodeFloats(features, new long[]{batch, in}, DataType.FLOAT32))
                .build();
    }

    /** Token ids: [CLS]=2, then random ids in [5, 100), for {@code len} tokens. */
    public static long[] tokens(long seed, int len) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] ids = new long[len];
        ids[0] = 2;
        for (int i = 1; i < len; i++) {
            ids[i] = 5 + r.nextInt(95);
        }
        return ids;
    }

    /** BERT inputs for one example of the given ids: all-ones mask, zero type ids. */
    public static Map<String, Tensor> bertInputs(long[] ids) {
        long[] shape = {1, ids.length};
        long[] ones = new long[ids.length];
        java.util.Arrays.fill(ones, 1);
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        inputs.put("input_ids", TensorCodec.encodeLongs(ids, shape));
        inputs.put("attention_mask", TensorCodec.encodeLongs(ones, shape));
        inputs.put("token_type_ids", TensorCodec.encodeLongs(new long[ids.length], shape));
        return inputs;
    }

    public static InferRequest bert(String model, long[] ids) {
        return InferRequest.newBuilder().setModel(model).putAllInputs(bertInputs(ids)).build();
    }

    /** Runs a model file in a fresh ONNX Runtime session: output name to flat float values. */
    public static Map<String, float[]> reference(Path model, Map<String, Object> feeds) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new HashMap<>();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions())) {
            for (Map.Entry<String, Object> e : feeds.entrySet()) {
                Object[] v = (Object[]) e.getValue();
                if (v[0] instanceof float[]) {
                    tensors.put(e.getKey(), OnnxTensor.createTensor(env, FloatBuffer.wrap((float[]) v[0]),
                            (long[]) v[1]));
                } else {
                    tensors.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap((long[]) v[0]),
                            (long[]) v[1]));
                }
            }
            Map<String, float[]> out = new HashMap<>();
            try (OrtSession.Result result = session.run(tensors)) {
                result.forEach(e -> {
                    FloatBuffer b = ((OnnxTensor) e.getValue()).getFloatBuffer();
                    float[] a = new float[b.remaining()];
                    b.get(a);
                    out.put(e.getKey(), a);
                });
            }
            return out;
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    /** Reference feeds for a single BERT example. */
    public static Map<String, Object> bertFeeds(long[] ids) {
        long[] shape = {1, ids.length};
        long[] ones = new long[ids.length];
        java.util.Arrays.fill(ones, 1);
        Map<String, Object> feeds = new HashMap<>();
        feeds.put("input_ids", new Object[]{ids, shape});
        feeds.put("attention_mask", new Object[]{ones, shape});
        feeds.put("token_type_ids", new Object[]{new long[ids.length], shape});
        return feeds;
    }

    /** Asserts that {@code call} fails with {@code code} and a description holding every fragment. */
    public static void assertRefused(org.junit.jupiter.api.function.Executable call, io.grpc.Status.Code code,
                                     String... fragments) {
        io.grpc.StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.grpc.StatusRuntimeException.class, call);
        org.junit.jupiter.api.Assertions.assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        String description = e.getStatus().getDescription();
        org.junit.jupiter.api.Assertions.assertNotNull(description);
        for (String f : fragments) {
            org.junit.jupiter.api.Assertions.assertTrue(description.contains(f),
                    "'" + description + "' lacks '" + f + "'");
        }
    }

    public static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double allowed = tolerance * Math.max(1.0, Math.abs(expected[i]));
            if (Math.abs(expected[i] - actual[i]) > allowed) {
                org.junit.jupiter.api.Assertions.fail(what + "[" + i + "]: expected " + expected[i] + ", got "
                        + actual[i]);
            }
        }
    }
}
