package org.distillery.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Gradient bookkeeping over a set of parameters, each gradient handle closed after use.
 *
 * <p>{@link #zero} overwrites: DJL's {@code GradientCollector.zeroGradients()} subtracts a gradient from itself, which
 * leaves a NaN or infinite gradient NaN for ever, so one bad step would poison every later one.
 */
final class Gradients {
    private Gradients() {
    }

    /** Sets every gradient to 0, whatever it held (NaN and infinities included). */
    static void zero(Collection<NDArray> parameters) {
        for (NDArray p : parameters) {
            try (NDArray g = p.getGradient()) {
                g.set(new NDIndex("..."), 0f);
            }
        }
    }

    /** The global L2 norm of all gradients: infinite or NaN when any gradient is. */
    static double norm(Collection<NDArray> parameters) {
        double squares = 0;
        for (NDArray p : parameters) {
            // one read of the gradient, no temporary array (a square then a sum would write one as large)
            try (NDArray g = p.getGradient(); NDArray norm = g.norm()) {
                double n = norm.getFloat();
                squares += n * n;
            }
        }
        return Math.sqrt(squares);
    }

    /** The names of the parameters whose gradient holds a NaN or an infinity, in the map's order. */
    static List<String> nonFinite(Map<String, NDArray> parameters) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            try (NDArray g = e.getValue().getGradient(); NDArray abs = g.abs(); NDArray max = abs.max()) {
                if (!Float.isFinite(max.getFloat())) {
                    names.add(e.getKey());
                }
            }
        }
        return names;
    }

    /** Multiplies every gradient by {@code factor} in place. */
    static void scale(Collection<NDArray> parameters, float factor) {
        for (NDArray p : parameters) {
            try (NDArray g = p.getGradient()) {
                g.muli(factor);
            }
        }
    }
}
