package org.distillery.common.onnx;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deterministic random parameters for test and benchmark graphs: normal(0, std) for matrices, zeros for biases,
 * ones for LayerNorm scales. The same seed and names always give the same values.
 */
public final class RandomWeights implements WeightSource {
    private final long seed;
    private final double std;

    public RandomWeights(long seed, double std) {
        this.seed = seed;
        this.std = std;
    }

    @Override
    public float[] get(String name, long[] shape) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] values = new float[Math.toIntExact(count)];
        if (name.endsWith("LayerNorm.weight")) {
            Arrays.fill(values, 1f);
            return values;
        }
        SplittableRandom random = new SplittableRandom(seed * 31 + name.hashCode());
        // Biases get small non-zero values so tests see them used.
        double scale = name.endsWith(".bias") ? std * 0.1 : std;
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (gaussian(random) * scale);
        }
        return values;
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
