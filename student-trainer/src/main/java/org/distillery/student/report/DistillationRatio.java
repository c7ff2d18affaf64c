package org.distillery.student.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * AutoMM's distillation ratio, (distilled − undistilled) ÷ (teacher − undistilled), per metric. It says which share
 * of the teacher's lead the distilled student recovered, so it is only defined where the teacher leads: when the
 * teacher does not beat the undistilled student (or a metric is missing) the ratio is {@code null} rather than a
 * number whose sign would mislead. Over several seeds it comes as mean ± standard deviation, and a gain is claimed
 * only when mean − std > 0.
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

    /**
     * The ratio of {@code distilled} against {@code teacher} and {@code undistilled} on {@code metric}, seed by
     * seed (the two students' rows list their seeds in the same order).
     */
    public static RatioSummary across(ModelRow teacher, ModelRow undistilled, ModelRow distilled, String metric) {
        List<Double> perSeed = new ArrayList<>();
        List<Double> defined = new ArrayList<>();
        List<Double> leads = new ArrayList<>();
        double t = teacher.metric(metric);
        int seeds = Math.min(undistilled.perSeed().size(), distilled.perSeed().size());
        for (int s = 0; s < seeds; s++) {
            double u = undistilled.perSeed().get(s).getOrDefault(metric, Double.NaN);
            Double ratio = of(t, u, distilled.perSeed().get(s).getOrDefault(metric, Double.NaN));
            perSeed.add(ratio);
            leads.add(t - u);
            if (ratio != null) {
                defined.add(ratio);
            }
        }
        Spread spread = Spread.of(defined);
        int examples = undistilled.testExamples();
        double lead = Spread.of(leads).mean();
        double leadExamples = "accuracy".equals(metric) ? lead * examples : Double.NaN;
        return new RatioSummary(distilled.name(), metric, perSeed, spread.mean(), spread.std(), defined.size(),
                examples, lead, leadExamples, spread.aboveZero() && defined.size() == seeds,
                describe(spread, seeds, t, undistilled.metric(metric), lead, leadExamples, examples));
    }

    private static String describe(Spread ratio, int seeds, double teacher, double undistilled, double lead,
                                   double leadExamples, int examples) {
        if (ratio.n() == 0) {
            return String.format(Locale.ROOT, "n/a (the teacher, %.4f, does not beat the undistilled student, %.4f)",
                    teacher, undistilled);
        }
        String behind = Double.isNaN(leadExamples)
                ? String.format(Locale.ROOT, "the teacher leads the undistilled student by %.4f", lead)
                : String.format(Locale.ROOT, "the teacher leads the undistilled student by %.1f of %d test examples",
                leadExamples, examples);
        StringBuilder text = new StringBuilder(ratio.format(3));
        if (ratio.n() < seeds) {
            text.append(String.format(Locale.ROOT, " over the %d of %d seeds where the teacher leads", ratio.n(),
                    seeds));
        } else if (seeds > 1) {
            text.append(String.format(Locale.ROOT, " over %d seeds", seeds));
        }
        text.append(" (").append(behind).append(seeds > 1 ? " on average" : "").append("): ");
        if (ratio.n() < 2) {
            text.append("one seed, no spread, so no claim of a gain; run with --seeds 3 or more");
        } else if (ratio.n() < seeds) {
            text.append("not defined for every seed, so no claim of a gain");
        } else if (ratio.aboveZero()) {
            text.append("mean − std > 0, a gain across seeds");
        } else {
            text.append("mean − std ≤ 0, the spread does not show a gain");
        }
        return text.toString();
    }
}
