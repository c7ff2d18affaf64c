package org.distillery.student.bench;

import org.distillery.proto.v1.DataType;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.loss.VocabularyTarget;
import org.distillery.student.mlm.MaskedBatch;
import org.distillery.student.mlm.MlmTeacherAnswer;
import org.distillery.student.mlm.MlmWire;
import org.distillery.student.mlm.OnnxMaskedLm;
import org.distillery.student.mlm.TeacherLogits;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the masked-LM wire costs and loses, side by side on the same batches: for each way of sending the teacher's
 * distribution at the masked positions ({@code dense} in fp32 as the reference, {@code dense} in fp16,
 * {@code topk:K} and {@code sample:K}), the answer's bytes per batch and, against the fp32 dense distribution:
 * <ul>
 * <li>KL error: |the batch's KL(teacher ‖ student) as the training term computes it from the wire − the exact
 * one|, averaged over batches, for a real student (its logits from an ONNX file);</li>
 * <li>teacher KL: KL(p ‖ p̂) per position, p̂ the distribution the wire conveys (top-k: the K probabilities, the
 * rest of the mass spread evenly over the other tokens); undefined for samples, which estimate rather than
 * describe;</li>
 * <li>gradient cosine: the cosine between the term's gradient with respect to the student's logits and the exact
 * one, over the batch;</li>
 * <li>top mass: the teacher's probability on the K tokens of a top-k answer, averaged over positions.</li>
 * </ul>
 */
public final class WireBenchmark {
    private WireBenchmark() {
    }

    /** One way of sending the distribution, measured. */
    public record Row(String mode, int batches, double responseBytes, double logitsBytes, double ratioVsDenseFp32,
                      double klError, double klBias, double teacherKl, double gradientCosine, double headMass) {
    }

    /**
     * Measures every mode on every batch.
     *
     * @param base    the request's model, inputs and logits output (its own mode and dtype are not used)
     * @param student the student whose distribution the KL is taken against
     */
    public static List<Row> run(TeacherClient client, MlmWire base, List<MaskedBatch> batches, OnnxMaskedLm student,
                                List<TeacherLogits> modes, long timeoutSeconds) throws Exception {
        float t = base.temperature();
        MlmWire reference = new MlmWire(base.model(), base.inputNames(), base.logitsOutput(), null,
                new TeacherLogits(VocabularyTarget.Support.DENSE, 0), t, DataType.FLOAT32);
        Map<String, Tally> tallies = new LinkedHashMap<>();
        tallies.put("dense fp32", new Tally());
        for (TeacherLogits mode : modes) {
            tallies.put(mode + " fp16", new Tally());
        }
        int seed = 0;
        for (MaskedBatch b : batches) {
            if (b.predicted() == 0) {
                continue;
            }
            MlmTeacherAnswer dense = ask(client, reference, b, seed, timeoutSeconds);
            int vocab = dense.width();
            double[][] logQ = studentLogProbs(student.logitsAt(b), b.predicted(), vocab, t);
            double exact = 0;
            for (int n = 0; n < b.predicted(); n++) {
                exact += kl(dense, n, logQ[n]);
            }
            exact /= b.predicted();
            tallies.get("dense fp32").add(dense, exact, exact, 0, 1, Double.NaN);
            for (TeacherLogits mode : modes) {
                MlmWire wire = new MlmWire(base.model(), base.inputNames(), base.logitsOutput(), null, mode, t,
                        DataType.FLOAT16);
                MlmTeacherAnswer a = ask(client, wire, b, seed, timeoutSeconds);
                double estimate = 0;
                double teacherKl = 0;
                double dot = 0;
                double exactNorm = 0;
                double wireNorm = 0;
                double mass = 0;
                for (int n = 0; n < b.predicted(); n++) {
                    estimate += kl(a, n, logQ[n]);
                    mass += headMass(a, n, mode.k());
                    teacherKl += reconstructionKl(dense, a, n, vocab);
                    double[] g = gradient(dense, n, logQ[n]);
                    double[] h = gradient(a, n, logQ[n]);
                    for (int v = 0; v < vocab; v++) {
                        dot += g[v] * h[v];
                        exactNorm += g[v] * g[v];
                        wireNorm += h[v] * h[v];
                    }
                }
                tallies.get(mode + " fp16").add(a, estimate / b.predicted(), exact, teacherKl / b.predicted(),
                        dot / Math.sqrt(exactNorm * wireNorm), mass / b.predicted());
            }
            seed++;
        }
        double denseBytes = tallies.get("dense fp32").responseBytes / Math.max(1, tallies.get("dense fp32").batches);
        List<Row> rows = new ArrayList<>();
        tallies.forEach((name, tally) -> rows.add(tally.row(name, denseBytes)));
        return rows;
    }

    private static MlmTeacherAnswer ask(TeacherClient client, MlmWire wire, MaskedBatch b, long seed,
                                        long timeoutSeconds) throws Exception {
        var request = wire.request(b, seed);
        long size = request.getSerializedSize();
        return client.send(request, r -> wire.decode(r, b.predicted(), size)).get(timeoutSeconds, TimeUnit.SECONDS);
    }

    private static double[][] studentLogProbs(float[] logits, int rows, int vocab, float t) {
        double[][] out = new double[rows][vocab];
        for (int n = 0; n < rows; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[n * vocab + v] / t);
            }
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(logits[n * vocab + v] / t - max);
            }
            double lse = max + Math.log(sum);
            for (int v = 0; v < vocab; v++) {
                out[n][v] = logits[n * vocab + v] / t - lse;
            }
        }
        return out;
    }

    /** The training term's KL at one position, from what the wire carried (as {@code VocabularyKl} computes it). */
    static double kl(MlmTeacherAnswer a, int n, double[] logQ) {
        int w = a.width();
        double value = 0;
        switch (a.support()) {
            case DENSE -> {
                for (int v = 0; v < w; v++) {
                    double lp = a.logProbs()[n * w + v];
                    value += Math.exp(lp) * (lp - logQ[v]);
                }
            }
            case SAMPLE, TOP_K_SAMPLED_TAIL -> {
                for (int j = 0; j < w; j++) {
                    double weight = a.weights()[n * w + j];
                    if (weight > 0) {
                        value += weight * (a.logProbs()[n * w + j] - logQ[a.indices()[n * w + j]]);
                    }
                }
            }
            default -> {
                double pSum = 0;
                double qSum = 0;
                for (int j = 0; j < w; j++) {
                    double lp = a.logProbs()[n * w + j];
                    double lq = logQ[a.indices()[n * w + j]];
                    value += Math.exp(lp) * (lp - lq);
                    pSum += Math.exp(lp);
                    qSum += Math.exp(lq);
                }
                double pRest = Math.max(0, 1 - pSum);
                double qRest = Math.max(1e-7, 1 - qSum);
                if (pRest > 0) {
                    value += pRest * (Math.log(Math.max(pRest, 1e-7)) - Math.log(qRest));
                }
            }
        }
        return value;
    }

    /** The teacher's probability on the K most probable tokens the answer holds (NaN for samples and dense). */
    static double headMass(MlmTeacherAnswer a, int n, int k) {
        if (a.support() == VocabularyTarget.Support.SAMPLE || a.support() == VocabularyTarget.Support.DENSE) {
            return Double.NaN;
        }
        double mass = 0;
        for (int j = 0; j < Math.min(k, a.width()); j++) {
            mass += Math.exp(a.logProbs()[n * a.width() + j]);
        }
        return mass;
    }

    /** KL(p ‖ p̂) at one position: p the fp32 dense answer, p̂ what {@code a} conveys; NaN for samples. */
    static double reconstructionKl(MlmTeacherAnswer dense, MlmTeacherAnswer a, int n, int vocab) {
        if (a.support().weighted()) {
            return Double.NaN;
        }
        double[] logPHat = new double[vocab];
        if (a.support() == VocabularyTarget.Support.DENSE) {
            double sum = 0;
            for (int v = 0; v < vocab; v++) {
                sum += Math.exp(a.logProbs()[n * vocab + v]);
            }
            for (int v = 0; v < vocab; v++) {
                logPHat[v] = a.logProbs()[n * vocab + v] - Math.log(sum);
            }
        } else {
            int w = a.width();
            double kept = 0;
            for (int j = 0; j < w; j++) {
                kept += Math.exp(a.logProbs()[n * w + j]);
            }
            double rest = Math.max(1e-12, 1 - kept) / Math.max(1, vocab - w);
            for (int v = 0; v < vocab; v++) {
                logPHat[v] = Math.log(rest);
            }
            for (int j = 0; j < w; j++) {
                logPHat[a.indices()[n * w + j]] = a.logProbs()[n * w + j];
            }
        }
        double value = 0;
        for (int v = 0; v < vocab; v++) {
            double lp = dense.logProbs()[n * vocab + v];
            value += Math.exp(lp) * (lp - logPHat[v]);
        }
        return value;
    }

    /** The gradient of the term with respect to the student's logits / T at one position (up to the factor T). */
    static double[] gradient(MlmTeacherAnswer a, int n, double[] logQ) {
        int vocab = logQ.length;
        double[] g = new double[vocab];
        for (int v = 0; v < vocab; v++) {
            g[v] = Math.exp(logQ[v]);
        }
        int w = a.width();
        switch (a.support()) {
            case DENSE -> {
                for (int v = 0; v < vocab; v++) {
                    g[v] -= Math.exp(a.logProbs()[n * w + v]);
                }
            }
            case SAMPLE, TOP_K_SAMPLED_TAIL -> {
                for (int j = 0; j < w; j++) {
                    g[a.indices()[n * w + j]] -= a.weights()[n * w + j];
                }
            }
            default -> {
                double pSum = 0;
                double qSum = 0;
                boolean[] in = new boolean[vocab];
                for (int j = 0; j < w; j++) {
                    pSum += Math.exp(a.logProbs()[n * w + j]);
                    qSum += Math.exp(logQ[a.indices()[n * w + j]]);
                    in[a.indices()[n * w + j]] = true;
                }
                double scale = 1 - Math.max(0, 1 - pSum) / Math.max(1e-7, 1 - qSum);
                for (int v = 0; v < vocab; v++) {
                    if (!in[v]) {
                        g[v] *= scale;
                    }
                }
                for (int j = 0; j < w; j++) {
                    g[a.indices()[n * w + j]] -= Math.exp(a.logProbs()[n * w + j]);
                }
            }
        }
        return g;
    }

    /** The rows as a table. */
    public static String table(List<Row> rows) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%-20s %12s %12s %10s %11s %11s %11s %9s %9s%n", "teacher logits",
                "bytes/batch", "of which", "vs dense", "KL error", "KL bias", "teacher KL", "grad cos", "top mass"));
        for (Row r : rows) {
            t.append(String.format(Locale.ROOT, "%-20s %12.0f %12.0f %9.1fx %11.2e %11.2e %11s %9.5f %9s%n",
                    r.mode(), r.responseBytes(), r.logitsBytes(), r.ratioVsDenseFp32(), r.klError(), r.klBias(),
                    Double.isNaN(r.teacherKl()) ? "n/a" : String.format(Locale.ROOT, "%.2e", r.teacherKl()),
                    r.gradientCosine(), Double.isNaN(r.headMass()) ? "n/a"
                            : String.format(Locale.ROOT, "%.3f", r.headMass())));
        }
        return t.toString();
    }

    private static final class Tally {
        int batches;
        double responseBytes;
        double logitsBytes;
        double absError;
        double error;
        double teacherKl;
        double cosine;
        double mass;

        void add(MlmTeacherAnswer a, double estimate, double exact, double reconstruction, double cos,
                 double headMass) {
            batches++;
            responseBytes += a.responseBytes();
            logitsBytes += a.logitsBytes();
            absError += Math.abs(estimate - exact);
            error += estimate - exact;
            teacherKl += reconstruction;
            cosine += cos;
            mass += headMass;
        }

        Row row(String name, double denseBytes) {
            double n = Math.max(1, batches);
            return new Row(name, batches, responseBytes / n, logitsBytes / n, denseBytes / (responseBytes / n),
                    absError / n, error / n, teacherKl / n, cosine / n, mass / n);
        }
    }
}
