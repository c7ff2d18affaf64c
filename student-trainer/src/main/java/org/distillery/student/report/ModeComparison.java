package org.distillery.student.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Two distilled students compared seed by seed (same initialisation and data order, different teacher answers):
 * the difference {@code a − b} of each metric, as mean ± standard deviation over the seeds.
 *
 * @param a            the first student's name
 * @param b            the second student's name
 * @param difference   metric → spread of a − b over seeds
 * @param testExamples test examples behind each seed's figures
 * @param text         which wins, and by how much, claiming no more than the spread supports
 */
public record ModeComparison(String a, String b, Map<String, Spread> difference, int testExamples, String text) {
    /** The metrics compared. */
    static final String[] METRICS = {"accuracy", "f1"};

    public static ModeComparison of(ModelRow a, ModelRow b) {
        Map<String, Spread> difference = new LinkedHashMap<>();
        for (String metric : METRICS) {
            List<Double> d = new ArrayList<>();
            for (int s = 0; s < Math.min(a.perSeed().size(), b.perSeed().size()); s++) {
                d.add(a.perSeed().get(s).getOrDefault(metric, Double.NaN)
                        - b.perSeed().get(s).getOrDefault(metric, Double.NaN));
            }
            difference.put(metric, Spread.of(d));
        }
        int examples = a.testExamples();
        Spread accuracy = difference.get("accuracy");
        Spread f1 = difference.get("f1");
        String figures = String.format(Locale.ROOT, "accuracy %s (%+.1f of %d test examples), F1 %s",
                signed(accuracy), accuracy.mean() * examples, examples, signed(f1));
        String verdict;
        if (accuracy.n() < 2) {
            verdict = "one seed, no spread: no winner can be named";
        } else if (accuracy.aboveZero() && !f1.belowZero()) {
            verdict = a.name() + " wins (accuracy mean − std > 0)";
        } else if (accuracy.belowZero() && !f1.aboveZero()) {
            verdict = b.name() + " wins (accuracy mean + std < 0)";
        } else {
            verdict = "neither wins beyond the spread";
        }
        return new ModeComparison(a.name(), b.name(), difference, examples, a.name() + " − " + b.name() + ": "
                + figures + "; " + verdict);
    }

    private static String signed(Spread s) {
        return Double.isNaN(s.std()) ? String.format(Locale.ROOT, "%+.4f", s.mean())
                : String.format(Locale.ROOT, "%+.4f ± %.4f", s.mean(), s.std());
    }
}
