package org.distillery.student.eval;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.distillery.common.onnx.OnnxInitializers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.common.text.TokenIds;
import org.distillery.student.data.Dataset;
import org.distillery.student.data.Example;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX classifier measured the way the seed notebook reports it: file size, parameter count, single-example
 * latency in ONNX Runtime (after warm-up, mean and standard deviation over at least 100 runs, one intra-op
 * thread), and test metrics with the confusion matrix. A model may be an ensemble of several files: its prediction
 * is the mean of the members' probabilities (what a teacher server's {@code combine=mean_probs} ensemble answers),
 * its size and parameters are the members' sums, and one example's latency is that of running every member on it,
 * one after another.
 */
public record OnnxModelReport(String name, double sizeMb, long numParameters, double latencyAvgMs,
                              double latencyStdMs, Map<String, Double> metrics, int[][] confusion) {

    /** Evaluates {@code onnx} on {@code test}. */
    public static OnnxModelReport measure(String name, Path onnx, Dataset test, PaddedTokenizer tokenizer,
                                          int latencyRuns) throws IOException, OrtException {
        return measureAll(Map.of(name, onnx), test, tokenizer, latencyRuns).get(0);
    }

    /** {@link #measureAllEnsembles} of single models. */
    public static List<OnnxModelReport> measureAll(Map<String, Path> models, Dataset test, PaddedTokenizer tokenizer,
                                                   int latencyRuns) throws IOException, OrtException {
        Map<String, List<Path>> single = new LinkedHashMap<>();
        models.forEach((name, file) -> single.put(name, List.of(file)));
        return measureAllEnsembles(single, test, tokenizer, latencyRuns);
    }

    /**
     * Evaluates each model on {@code test}, then times single-example runs with the models taking turns run by run,
     * so that a slow moment of the machine falls on all of them alike rather than on whichever was measured then.
     *
     * @param models name → its ONNX file, or its members' files for an ensemble, in report order
     */
    public static List<OnnxModelReport> measureAllEnsembles(Map<String, List<Path>> models, Dataset test,
                                                            PaddedTokenizer tokenizer, int latencyRuns)
            throws IOException, OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<String> names = new ArrayList<>(models.keySet());
        List<List<OrtSession>> sessions = new ArrayList<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            for (String name : names) {
                if (models.get(name).isEmpty()) {
                    throw new IllegalArgumentException("model '" + name + "' has no ONNX file");
                }
                List<OrtSession> members = new ArrayList<>();
                sessions.add(members);
                for (Path file : models.get(name)) {
                    members.add(env.createSession(file.toString(), options));
                }
            }
            double[][] latency = latency(sessions, env, tokenizer, test, Math.max(100, latencyRuns));
            List<OnnxModelReport> reports = new ArrayList<>();
            for (int m = 0; m < names.size(); m++) {
                double sizeMb = 0;
                long parameters = 0;
                for (Path onnx : models.get(names.get(m))) {
                    sizeMb += Files.size(onnx) / (1024.0 * 1024.0);
                    for (OnnxInitializers.Initializer init : OnnxInitializers.read(onnx).values()) {
                        parameters += init.values().length;
                    }
                }
                int classes = test.labelCount();
                int n = test.size();
                float[] probs = new float[n * classes];
                int[] labels = new int[n];
                for (int from = 0; from < n; from += 32) {
                    int to = Math.min(n, from + 32);
                    TokenIds ids = encode(tokenizer, test.examples().subList(from, to));
                    List<OrtSession> members = sessions.get(m);
                    for (OrtSession member : members) {
                        float[] logits = OnnxLogits.run(member, env, ids);
                        for (int i = from; i < to; i++) {
                            labels[i] = test.examples().get(i).label();
                            addSoftmax(logits, (i - from) * classes, classes, probs, i * classes,
                                    1.0 / members.size());
                        }
                    }
                }
                reports.add(new OnnxModelReport(names.get(m), sizeMb, parameters, latency[m][0], latency[m][1],
                        Metrics.compute(probs, labels, classes), Metrics.confusion(probs, labels, classes)));
            }
            return reports;
        } finally {
            for (List<OrtSession> members : sessions) {
                for (OrtSession session : members) {
                    session.close();
                }
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
     * Mean and standard deviation in ms of single-example runs per model (every member of an ensemble in turn),
     * after 10 warm-up runs each; the models take turns run by run.
     */
    private static double[][] latency(List<List<OrtSession>> models, OrtEnvironment env, PaddedTokenizer tokenizer,
                                      Dataset test, int runs) throws OrtException {
        List<TokenIds> singles = new ArrayList<>();
        for (int i = 0; i < Math.min(test.size(), 50); i++) {
            singles.add(encode(tokenizer, List.of(test.examples().get(i))));
        }
        for (List<OrtSession> members : models) {
            for (int i = 0; i < 10; i++) {
                for (OrtSession session : members) {
                    OnnxLogits.run(session, env, singles.get(i % singles.size()));
                }
            }
        }
        double[][] ms = new double[models.size()][runs];
        for (int i = 0; i < runs; i++) {
            for (int m = 0; m < models.size(); m++) {
                TokenIds example = singles.get(i % singles.size());
                long start = System.nanoTime();
                for (OrtSession session : models.get(m)) {
                    OnnxLogits.run(session, env, example);
                }
                ms[m][i] = (System.nanoTime() - start) / 1e6;
            }
        }
        double[][] result = new double[models.size()][];
        for (int m = 0; m < models.size(); m++) {
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

    /** Adds {@code weight · softmax(logits[from, from + classes))} to {@code out[to, to + classes)}. */
    private static void addSoftmax(float[] logits, int from, int classes, float[] out, int to, double weight) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[from + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[from + c] - max);
        }
        for (int c = 0; c < classes; c++) {
            out[to + c] += (float) (weight * Math.exp(logits[from + c] - max) / sum);
        }
    }
}
