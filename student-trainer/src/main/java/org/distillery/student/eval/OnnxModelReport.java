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
        return measureAll(Map.of(name, onnx), test, tokenizer, latencyRuns).get(0);
    }

    /**
     * Evaluates each model on {@code test}, then times single-example runs with the models taking turns run by run,
     * so that a slow moment of the machine falls on all of them alike rather than on whichever was measured then.
     *
     * @param models name → ONNX file, in report order
     */
    public static List<OnnxModelReport> measureAll(Map<String, Path> models, Dataset test, PaddedTokenizer tokenizer,
                                                   int latencyRuns) throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> names = new ArrayList<>(models.keySet());
        List<OrtSession> sessions = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            for (String name : names) {
                sessions.add(env.createSession(models.get(name).toString(), options));
            }
            double[][] latency = latency(sessions, env, tokenizer, test, Math.max(100, latencyRuns));
            List<OnnxModelReport> reports = new ArrayList<>();
            for (int m = 0; m < names.size(); m++) {
                Path onnx = models.get(names.get(m));
                long parameters = 0;
                for (OnnxInitializers.Initializer init : OnnxInitializers.read(onnx).values()) {
                    parameters += init.values().length;
                }
                int classes = test.labelCount();
                int n = test.size();
                float[] probs = new float[n * classes];
                int[] labels = new int[n];
                for (int from = 0; from < n; from += 32) {
                    int to = Math.min(n, from + 32);
                    float[] logits = OnnxLogits.run(sessions.get(m), env, encode(tokenizer,
                            test.examples().subList(from, to)));
                    for (int i = from; i < to; i++) {
                        labels[i] = test.examples().get(i).label();
                        softmax(logits, (i - from) * classes, classes, probs, i * classes);
                    }
                }
                reports.add(new OnnxModelReport(names.get(m), Files.size(onnx) / (1024.0 * 1024.0), parameters,
                        latency[m][0], latency[m][1], Metrics.compute(probs, labels, classes),
                        Metrics.confusion(probs, labels, classes)));
            }
            return reports;
        } finally {
            for (OrtSession session : sessions) {
                session.close();
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

    /**
     * Mean and standard deviation in ms of single-example runs per session, after 10 warm-up runs each; the
     * sessions take turns run by run.
     */
    private static double[][] latency(List<OrtSession> sessions, OrtEnvironment env, PaddedTokenizer tokenizer,
                                      Dataset test, int runs) throws OrtException {
        List<TokenIds> singles = new ArrayList<>();
        for (int i = 0; i < Math.min(test.size(), 50); i++) {
            singles.add(encode(tokenizer, List.of(test.examples().get(i))));
        }
        for (OrtSession session : sessions) {
            for (int i = 0; i < 10; i++) {
                OnnxLogits.run(session, env, singles.get(i % singles.size()));
            }
        }
        double[][] ms = new double[sessions.size()][runs];
        for (int i = 0; i < runs; i++) {
            for (int m = 0; m < sessions.size(); m++) {
                long start = System.nanoTime();
                OnnxLogits.run(sessions.get(m), env, singles.get(i % singles.size()));
                ms[m][i] = (System.nanoTime() - start) / 1e6;
            }
        }
        double[][] result = new double[sessions.size()][];
        for (int m = 0; m < sessions.size(); m++) {
            double mean = 0;
            for (double v : ms[m]) {
                mean += v / runs;
            }
            double var = 0;
            for (double v : ms[m]) {
                var += (v - mean) * (v - mean) / Math.max(1, runs - 1);
            }
            result[m] = new double[]{mean, Math.sqrt(var)};
        }
        return result;
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
