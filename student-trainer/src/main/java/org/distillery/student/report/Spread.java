package org.distillery.student.report;

import java.util.List;
import java.util.Locale;

/**
 * Mean and sample standard deviation of a figure over seeds.
 *
 * @param std NaN for fewer than two values
 * @param n   how many values
 */
public record Spread(double mean, double std, int n) {
    /** The spread of {@code values} (no nulls). */
    public static Spread of(List<Double> values) {
        int n = values.size();
        if (n == 0) {
            return new Spread(Double.NaN, Double.NaN, 0);
        }
        double mean = 0;
        for (double v : values) {
            mean += v / n;
        }
        if (n < 2) {
            return new Spread(mean, Double.NaN, n);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return new Spread(mean, Math.sqrt(squares / (n - 1)), n);
    }

    /** True when there is a spread and mean − std > 0. */
    public boolean aboveZero() {
        return n >= 2 && mean - std > 0;
    }

    /** True when there is a spread and mean + std < 0. */
    public boolean belowZero() {
        return n >= 2 && mean + std < 0;
    }

    /** {@code mean ± std} with {@code decimals} decimals, or the mean alone without a spread. */
    public String format(int decimals) {
        String f = "%." + decimals + "f";
        return Double.isNaN(std) ? String.format(Locale.ROOT, f, mean)
                : String.format(Locale.ROOT, f + " ± " + f, mean, std);
    }
}
