package org.distillery.teacher.ensemble;

import org.distillery.common.errors.ServingException;
import org.distillery.proto.v1.CombineMode;
import org.distillery.teacher.runtime.HostTensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Combines members' outputs: MEAN_LOGITS averages each output element-wise; MEAN_PROBS averages
 * {@code softmax(logits / T)} over the last axis for the logits output and returns the logarithm of that mean under
 * the logits output's name — logits whose softmax is the mean probability, so the name stays true and a client
 * that applies softmax gets the ensemble's probabilities — and averages the others.
 */
public final class EnsembleCombiner {
    private EnsembleCombiner() {
    }

    public static Map<String, HostTensor> combine(List<String> memberNames, List<Map<String, HostTensor>> results,
                                                  Iterable<String> outputs, String logitsOutput, CombineMode mode,
                                                  float temperature) {
        Map<String, HostTensor> combined = new LinkedHashMap<>();
        for (String name : outputs) {
            HostTensor first = results.get(0).get(name);
            float[] sum = new float[first.size()];
            for (int m = 0; m < results.size(); m++) {
                HostTensor t = results.get(m).get(name);
                if (!Arrays.equals(t.shape(), first.shape())) {
                    throw ServingException.internal("ensemble members disagree on the shape of output '" + name
                            + "': '" + memberNames.get(0) + "' gave " + Arrays.toString(first.shape()) + ", '"
                            + memberNames.get(m) + "' gave " + Arrays.toString(t.shape()), null);
                }
                float[] values = mode == CombineMode.MEAN_PROBS && name.equals(logitsOutput)
                        ? softmax(t.floats(), t.shape(), temperature) : t.floats();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += values[i];
                }
            }
            float n = results.size();
            boolean probabilities = mode == CombineMode.MEAN_PROBS && name.equals(logitsOutput);
            for (int i = 0; i < sum.length; i++) {
                sum[i] /= n;
                if (probabilities) {
                    // log of the mean probability; the smallest normal float keeps a vanished class finite
                    sum[i] = (float) Math.log(Math.max(sum[i], Float.MIN_NORMAL));
                }
            }
            combined.put(name, HostTensor.ofFloats(sum, first.shape()));
        }
        return combined;
    }

    /** Softmax of {@code x / temperature} over the last axis, computed stably. */
    public static float[] softmax(float[] x, long[] shape, float temperature) {
        int axis = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
        float[] out = new float[x.length];
        for (int base = 0; base + axis <= x.length && axis > 0; base += axis) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < axis; i++) {
                max = Math.max(max, x[base + i] / (double) temperature);
            }
            double total = 0;
            for (int i = 0; i < axis; i++) {
                double e = Math.exp(x[base + i] / (double) temperature - max);
                out[base + i] = (float) e;
                total += e;
            }
            for (int i = 0; i < axis; i++) {
                out[base + i] = (float) (out[base + i] / total);
            }
        }
        return out;
    }
}
