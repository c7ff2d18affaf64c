package org.distillery.student.report;

import org.distillery.student.eval.OnnxModelReport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the report's table: a teacher, the ensemble, or a student over its seeds. For a student, size and
 * parameters are those of one seed's model (they are the same architecture), the metrics and latency are means over
 * the seeds with the seeds' standard deviation beside them, and the confusion matrix is the sum over the seeds.
 *
 * @param role         {@code teacher}, {@code ensemble} or {@code student}
 * @param seeds        models behind the row
 * @param latencyAvgMs single-example latency, mean over runs (and over seeds)
 * @param latencyStdMs its standard deviation over runs (mean over seeds)
 * @param metrics      test metrics (mean over seeds)
 * @param metricsStd   their standard deviation over seeds (empty for a single model)
 * @param perSeed      each seed's test metrics
 */
public record ModelRow(String name, String role, int seeds, double sizeMb, long numParameters, double latencyAvgMs,
                       double latencyStdMs, Map<String, Double> metrics, Map<String, Double> metricsStd,
                       List<Map<String, Double>> perSeed, int[][] confusion) {

    /** A single model (a teacher member, or the ensemble). */
    public static ModelRow single(String role, OnnxModelReport m) {
        return new ModelRow(m.name(), role, 1, m.sizeMb(), m.numParameters(), m.latencyAvgMs(), m.latencyStdMs(),
                m.metrics(), Map.of(), List.of(m.metrics()), m.confusion());
    }

    /** A student over its seeds' models. */
    public static ModelRow seeds(String name, List<OnnxModelReport> models) {
        Map<String, Double> mean = new LinkedHashMap<>();
        Map<String, Double> std = new LinkedHashMap<>();
        for (String metric : models.get(0).metrics().keySet()) {
            Spread s = Spread.of(models.stream().map(m -> m.metrics().get(metric)).toList());
            mean.put(metric, s.mean());
            std.put(metric, s.std());
        }
        int classes = models.get(0).confusion().length;
        int[][] confusion = new int[classes][classes];
        List<Map<String, Double>> perSeed = new ArrayList<>();
        for (OnnxModelReport m : models) {
            perSeed.add(m.metrics());
            for (int i = 0; i < classes; i++) {
                for (int j = 0; j < classes; j++) {
                    confusion[i][j] += m.confusion()[i][j];
                }
            }
        }
        OnnxModelReport first = models.get(0);
        return new ModelRow(name, "student", models.size(), first.sizeMb(), first.numParameters(),
                Spread.of(models.stream().map(OnnxModelReport::latencyAvgMs).toList()).mean(),
                Spread.of(models.stream().map(OnnxModelReport::latencyStdMs).toList()).mean(), mean, std, perSeed,
                confusion);
    }

    /** A metric's mean, NaN when missing. */
    public double metric(String metric) {
        return metrics.getOrDefault(metric, Double.NaN);
    }

    /** Test examples behind one model's figures. */
    public int testExamples() {
        int total = 0;
        for (int[] row : confusion) {
            for (int count : row) {
                total += count;
            }
        }
        return total / seeds;
    }
}
