package org.distillery.teacher.batching;

import org.distillery.common.errors.ServingException;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Merges jobs into one batch and splits a run's outputs back per job.
 *
 * <p>Inputs are concatenated on axis 0; every other dynamic axis is padded at the end to the batch's longest,
 * with the input's pad value. Dynamic axes are keyed by their symbolic name ({@code sequence}), or by
 * {@code input#axis} where the graph names none. An output axis is cut back to a job's own length when its
 * symbolic name is one of those keys, or, for an unnamed dynamic axis, when exactly one padded key has the axis'
 * size in this batch.
 */
final class BatchAssembler {
    private static final java.util.regex.Pattern TORCH_AUTO_NAME = java.util.regex.Pattern.compile(
            ".*_dynamic_axes_\\d+");

    private BatchAssembler() {
    }

    /** A merged batch: the run's inputs and what splitting needs. */
    record Merged(Map<String, HostTensor> inputs, int total, Map<String, Long> batchDims,
                  List<Map<String, Long>> jobDims) {
    }

    static Merged merge(Map<String, TensorSpec> specs, List<InferenceJob> jobs, Map<String, Long> padValues) {
        List<Map<String, Long>> jobDims = new ArrayList<>();
        Map<String, Long> batchDims = new HashMap<>();
        int total = 0;
        for (InferenceJob job : jobs) {
            total += job.examples();
            Map<String, Long> dims = new HashMap<>();
            for (TensorSpec spec : specs.values()) {
                long[] shape = job.inputs().get(spec.name()).shape();
                for (int i = 1; i < spec.rank(); i++) {
                    if (spec.dynamic(i)) {
                        String key = key(spec, i);
                        dims.put(key, shape[i]);
                        batchDims.merge(key, shape[i], Math::max);
                    }
                }
            }
            jobDims.add(dims);
        }
        if (jobs.size() == 1) {
            return new Merged(jobs.get(0).inputs(), total, batchDims, jobDims);
        }
        Map<String, HostTensor> merged = new LinkedHashMap<>();
        for (TensorSpec spec : specs.values()) {
            long[] target = new long[spec.rank()];
            target[0] = total;
            for (InferenceJob job : jobs) {
                long[] shape = job.inputs().get(spec.name()).shape();
                for (int i = 1; i < target.length; i++) {
                    target[i] = Math.max(target[i], shape[i]);
                }
            }
            HostTensor batch = HostTensor.filled(spec.type(), target, padValues.getOrDefault(spec.name(), 0L));
            long row = 0;
            for (InferenceJob job : jobs) {
                HostTensor part = job.inputs().get(spec.name());
                long[] dstOrigin = new long[target.length];
                dstOrigin[0] = row;
                Blocks.copy(part.data(), part.shape(), new long[target.length], batch.data(), target, dstOrigin,
                        part.shape());
                row += part.batch();
            }
            merged.put(spec.name(), batch);
        }
        return new Merged(merged, total, batchDims, jobDims);
    }

    /** The rows of job {@code index} (starting at {@code offset}) of each wanted output. */
    static Map<String, HostTensor> split(Merged merged, int index, int offset, int examples,
                                         Map<String, HostTensor> outputs, Map<String, TensorSpec> outputSpecs,
                                         Iterable<String> wanted) {
        return split(merged, index, offset, examples, outputs, outputSpecs, wanted, null);
    }

    /**
     * The rows of job {@code index} (starting at {@code offset}) of each wanted output; outputs the selector applies
     * to are gathered at its (example, position) pairs instead, as {@code [rows, rest...]}.
     *
     * @param rows may be null
     */
    static Map<String, HostTensor> split(Merged merged, int index, int offset, int examples,
                                         Map<String, HostTensor> outputs, Map<String, TensorSpec> outputSpecs,
                                         Iterable<String> wanted, RowSelector rows) {
        Map<String, HostTensor> result = new LinkedHashMap<>();
        boolean alone = merged.jobDims().size() == 1;
        for (String name : wanted) {
            HostTensor out = outputs.get(name);
            if (rows != null && rows.applies(name)) {
                result.put(name, gather(name, out, ownShape(merged, index, examples, name, out, outputSpecs, alone),
                        offset, rows));
                continue;
            }
            if (alone) {
                result.put(name, out);
                continue;
            }
            long[] shape = out.shape();
            long[] own = ownShape(merged, index, examples, name, out, outputSpecs, false);
            HostTensor part = HostTensor.filled(out.type(), own, 0);
            long[] srcOrigin = new long[shape.length];
            srcOrigin[0] = offset;
            Blocks.copy(out.data(), shape, srcOrigin, part.data(), own, new long[shape.length], own);
            result.put(name, part);
        }
        return result;
    }

    /** The shape of one job's part of an output: its examples, and axes that follow a padded input cut back. */
    private static long[] ownShape(Merged merged, int index, int examples, String name, HostTensor out,
                                   Map<String, TensorSpec> outputSpecs, boolean alone) {
        long[] shape = out.shape();
        if (shape.length == 0 || shape[0] != merged.total()) {
            throw ServingException.internal("output '" + name + "' has shape " + Arrays.toString(shape)
                    + " with no batch axis of " + merged.total() + "; it cannot be split between requests", null);
        }
        long[] own = shape.clone();
        own[0] = examples;
        if (alone) {
            return own;
        }
        TensorSpec spec = outputSpecs.get(name);
        for (int i = 1; i < shape.length; i++) {
            String key = outputKey(spec, i, shape[i], merged.batchDims(), merged.jobDims());
            if (key != null) {
                own[i] = merged.jobDims().get(index).get(key);
            }
        }
        return own;
    }

    /**
     * Rows of a {@code [batch, sequence, rest...]} output at a job's (example, position) pairs, copied straight from
     * the batch's output: {@code [rows, rest...]}, the rest cut back as the job's own part would be. Positions are
     * checked against the run's sequence axis, which is at least the job's own length.
     */
    private static HostTensor gather(String name, HostTensor out, long[] own, int offset, RowSelector rows) {
        long[] shape = out.shape();
        if (shape.length < 3) {
            throw ServingException.internal("output '" + name + "' has shape " + Arrays.toString(shape)
                    + "; positions select rows of outputs shaped [batch, sequence, ...]", null);
        }
        int n = rows.rows();
        long[] gathered = new long[shape.length - 1];
        gathered[0] = n;
        System.arraycopy(own, 2, gathered, 1, shape.length - 2);
        // The destination seen with a unit sequence axis, so that each row is one block copy of rank shape.length.
        long[] target = new long[shape.length];
        target[0] = n;
        target[1] = 1;
        System.arraycopy(own, 2, target, 2, shape.length - 2);
        long[] block = target.clone();
        block[0] = 1;
        HostTensor part = HostTensor.filled(out.type(), gathered, 0);
        long[] srcOrigin = new long[shape.length];
        long[] dstOrigin = new long[shape.length];
        for (int r = 0; r < n; r++) {
            int example = rows.example(r);
            int position = rows.position(r);
            if (example < 0 || example >= own[0] || position < 0 || position >= shape[1]) {
                throw ServingException.internal("output '" + name + "' has shape " + Arrays.toString(shape)
                        + " in this run; row " + r + " asks for example " + example + " of " + own[0]
                        + " at position " + position, null);
            }
            srcOrigin[0] = offset + example;
            srcOrigin[1] = position;
            dstOrigin[0] = r;
            Blocks.copy(out.data(), shape, srcOrigin, part.data(), target, dstOrigin, block);
        }
        return part;
    }

    /**
     * The padded key an output axis follows, or null to leave it whole: the axis' symbolic name when an input axis
     * has it; otherwise, for an unnamed axis or one named the way torch's exporter names each tensor's axes on its
     * own ({@code logits_dynamic_axes_1}), the padded keys with this size in the batch, if they all give every job
     * the same length.
     */
    private static String outputKey(TensorSpec spec, int axis, long size, Map<String, Long> batchDims,
                                    List<Map<String, Long>> jobDims) {
        if (spec == null || axis >= spec.rank() || !spec.dynamic(axis)) {
            return null;
        }
        String name = spec.dimName(axis);
        if (!name.isEmpty() && batchDims.containsKey(name)) {
            return batchDims.get(name) == size ? name : null;
        }
        if (!name.isEmpty() && !TORCH_AUTO_NAME.matcher(name).matches()) {
            return null; // an axis of its own (e.g. "labels"), whatever its size
        }
        String match = null;
        for (Map.Entry<String, Long> e : batchDims.entrySet()) {
            if (e.getValue() != size) {
                continue;
            }
            if (match == null) {
                match = e.getKey();
                continue;
            }
            for (Map<String, Long> job : jobDims) {
                if (!job.get(match).equals(job.get(e.getKey()))) {
                    return null; // keys disagree on some job's length: ambiguous, leave the axis whole
                }
            }
        }
        return match;
    }

    static String key(TensorSpec spec, int axis) {
        String name = spec.dimName(axis);
        return name.isEmpty() ? spec.name() + "#" + axis : name;
    }
}
