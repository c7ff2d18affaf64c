package org.distillery.student.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.distillery.common.onnx.OnnxInitializers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX classifier measured the way the seed notebook reports it: file size, parameter count, single-example
 * latency in ONNX Runtime (after warm-up, mean and standard deviation over at least 100 runs, one intra-op
 * thread), and test metrics with the confusion matrix.
 */
public record OnnxModelReport(String name, double sizeMb, long numParameters, double latencyAvgMs,
                              double latencyStdMs, Map<String, Double> metrics, int[][] confusion) {

    /** Evaluates {@code onnx} on {@code test}. */
    public static OnnxModelReport measure(String name, Path onnx, Dataset test, PaddedTokenizer tokenizer,
                                          int latencyRuns) throws IOException, OrtException {
        long parameters = 0;
        for (OnnxInitializers.Initializer init : OnnxInitializers.read(onnx).values()) {
            parameters += init.values().length;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(onnx.toString(), options)) {
                int classes = test.labelCount();
                int n = test.size();
                float[] probs = new float[n * classes];
                int[] labels = new int[n];
                for (int from = 0; from < n; from += 32) {
                    int to = Math.min(n, from + 32);
                    float[] logits = logits(session, env, encode(tokenizer, test.examples().subList(from, to)));
                    for (int i = from; i < to; i++) {
                        labels[i] = test.examples().get(i).label();
                        softmax(logits, (i - from) * classes, classes, probs, i * classes);
                    }
                }
                double[] latency = latency(session, env, tokenizer, test, Math.max(100, latencyRuns));
                return new OnnxModelReport(name, Files.size(onnx) / (1024.0 * 1024.0), parameters, latency[0],
                        latency[1], Metrics.compute(probs, labels, classes),
                        Metrics.confusion(probs, labels, classes));
            }
        }
    }

    private static TokenIds encode(PaddedTokenizer tokenizer, List<Example> examples) {
        List<String> texts = new ArrayList<>();
        List<String> pairs = new ArrayList<>();
        examples.forEach(e -> {
            texts.add(e.text());
            pairs.add(e.pair());
        });
        return tokenizer.encode(texts, pairs);
    }

    private static float[] logits(OrtSession session, OrtEnvironment env, TokenIds ids) throws OrtException {
        long[] shape = {ids.batch(), ids.length()};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            Map<String, long[]> all = Map.of("input_ids", ids.inputIds(), "attention_mask", ids.attentionMask(),
                    "token_type_ids", ids.tokenTypeIds());
            for (String name : session.getInputNames()) {
                feeds.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(all.get(name)), shape));
            }
            try (OrtSession.Result result = session.run(feeds, java.util.Set.of("logits"))) {
                FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] out = new float[b.remaining()];
                b.get(out);
                return out;
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    /** Mean and standard deviation in ms of single-example runs, after 10 warm-up runs. */
    private static double[] latency(OrtSession session, OrtEnvironment env, PaddedTokenizer tokenizer, Dataset test,
                                    int runs) throws OrtException {
        List<TokenIds> singles = new ArrayList<>();
        for (int i = 0; i < Math.min(test.size(), 50); i++) {
            singles.add(encode(tokenizer, List.of(test.examples().get(i))));
        }
        for (int i = 0; i < 10; i++) {
            logits(session, env, singles.get(i % singles.size()));
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            logits(session, env, singles.get(i % singles.size()));
            ms[i] = (System.nanoTime() - start) / 1e6;
        }
        double mean = 0;
        for (double v : ms) {
            mean += v / runs;
        }
        double var = 0;
        for (double v : ms) {
            var += (v - mean) * (v - mean) / Math.max(1, runs - 1);
        }
        return new double[]{mean, Math.sqrt(var)};
    }

    private static void softmax(float[] logits, int from, int classes, float[] out, int to) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[from + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[from + c] - max);
        }
        for (int c = 0; c < classes; c++) {
            out[to + c] = (float) (Math.exp(logits[from + c] - max) / sum);
        }
    }
}
