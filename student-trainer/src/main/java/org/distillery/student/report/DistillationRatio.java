package org.distillery.student.report;

import org.distillery.student.eval.OnnxModelReport;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * AutoMM's distillation ratio, (distilled − undistilled) ÷ (teacher − undistilled), per metric. It says which share
 * of the teacher's lead the distilled student recovered, so it is only defined where the teacher leads: when the
 * teacher does not beat the undistilled student (or a metric is missing) the ratio is {@code null} rather than a
 * number whose sign would mislead.
 */
public final class DistillationRatio {
    /** The metrics the demo reports a ratio for. */
    public static final String[] METRICS = {"accuracy", "f1", "roc_auc"};

    private DistillationRatio() {
    }

    /** The ratio, or {@code null} where it is undefined. */
    public static Double of(double teacher, double undistilled, double distilled) {
        if (!Double.isFinite(teacher) || !Double.isFinite(undistilled) || !Double.isFinite(distilled)
                || teacher <= undistilled) {
            return null;
        }
        return (distilled - undistilled) / (teacher - undistilled);
    }

    /** The ratio for each of {@link #METRICS}; values may be {@code null}. */
    public static Map<String, Double> of(OnnxModelReport teacher, OnnxModelReport undistilled,
                                         OnnxModelReport distilled) {
        Map<String, Double> ratio = new LinkedHashMap<>();
        for (String metric : METRICS) {
            ratio.put(metric, of(metric(teacher, metric), metric(undistilled, metric), metric(distilled, metric)));
        }
        return ratio;
    }

    /**
     * The ratio as text: the figure, or why there is none. For accuracy it also says by how many test examples the
     * teacher leads, since a lead of a handful of examples makes the ratio swing widely.
     */
    public static String describe(Double ratio, OnnxModelReport teacher, OnnxModelReport undistilled,
                                  String metric) {
        String text = ratio != null ? String.format(Locale.ROOT, "%.3f", ratio)
                : String.format(Locale.ROOT, "n/a (teacher %.4f does not beat the undistilled student %.4f)",
                metric(teacher, metric), metric(undistilled, metric));
        int examples = 0;
        for (int[] row : teacher.confusion()) {
            for (int count : row) {
                examples += count;
            }
        }
        if ("accuracy".equals(metric) && examples > 0 && ratio != null) {
            long lead = Math.round((metric(teacher, metric) - metric(undistilled, metric)) * examples);
            text += String.format(Locale.ROOT, " (the teacher leads the undistilled student by %d of %d test "
                    + "examples)", lead, examples);
        }
        return text;
    }

    private static double metric(OnnxModelReport model, String metric) {
        return model.metrics().getOrDefault(metric, Double.NaN);
    }
}
