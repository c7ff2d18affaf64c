package org.distillery.teacher.batching;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.distillery.common.errors.ServingException;
import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property-based fuzzing of {@link BatchAssembler}. The fuzzer picks a model signature (one to three inputs of any
 * element type, rank 1 to 4, fixed or dynamic axes, named, unnamed or named the way torch's exporter names them) and
 * one to four requests of different batch sizes and lengths that agree within themselves the way the validator
 * makes them agree. Properties:
 * <ul>
 *   <li>the merged batch has every request's rows at its offset, unchanged, and the pad value everywhere else;</li>
 *   <li>an output that echoes a merged input, split back, gives each request its own part: an axis named like an
 *   input axis is cut to the request's own length; any other dynamic axis is cut to the request's own length or
 *   left whole, and then holds padding beyond it;</li>
 *   <li>an output axis of its own ({@code labels}) is never cut; an output without the batch axis cannot be split
 *   and is refused with a {@link ServingException}.</li>
 * </ul>
 * Under plain {@code mvn test} the inputs in {@code BatchAssemblerFuzzTestInputs/} are replayed; {@code bin/fuzz}
 * fuzzes.
 */
class BatchAssemblerFuzzTest {
    private static final String[] DIM_NAMES = {"", "sequence", "length", "ids_dynamic_axes_1"};
    private static final ElementType[] TYPES = {ElementType.FLOAT, ElementType.INT64, ElementType.INT32};

    @FuzzTest
    void splitOfMergeGivesEachRequestItsOwnPart(FuzzedDataProvider data) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        Map<String, Long> padValues = new HashMap<>();
        int inputCount = data.consumeInt(1, 3);
        for (int n = 0; n < inputCount; n++) {
            String name = "in" + n;
            int rank = data.consumeInt(1, 4);
            long[] shape = new long[rank];
            String[] dims = new String[rank];
            shape[0] = -1;
            dims[0] = data.consumeBoolean() ? "batch" : "";
            for (int i = 1; i < rank; i++) {
                boolean dynamic = data.consumeBoolean();
                shape[i] = dynamic ? -1 : data.consumeInt(1, 3);
                dims[i] = dynamic ? DIM_NAMES[data.consumeInt(0, DIM_NAMES.length - 1)] : "";
            }
            specs.put(name, new TensorSpec(name, TYPES[data.consumeInt(0, TYPES.length - 1)], shape, dims));
            if (data.consumeBoolean()) {
                padValues.put(name, (long) -data.consumeInt(1, 9)); // request values are all >= 1
            }
        }

        int jobCount = data.consumeInt(1, 4);
        List<InferenceJob> jobs = new ArrayList<>();
        long next = 1;
        for (int j = 0; j < jobCount; j++) {
            int examples = data.consumeInt(1, 3);
            Map<String, Long> named = new HashMap<>(); // one length per symbolic name within a request
            Map<String, HostTensor> inputs = new LinkedHashMap<>();
            for (TensorSpec spec : specs.values()) {
                long[] shape = new long[spec.rank()];
                shape[0] = examples;
                for (int i = 1; i < shape.length; i++) {
                    if (!spec.dynamic(i)) {
                        shape[i] = spec.shape()[i];
                    } else if (spec.dimName(i).isEmpty()) {
                        shape[i] = data.consumeInt(0, 4);
                    } else {
                        shape[i] = named.computeIfAbsent(spec.dimName(i), k -> (long) data.consumeInt(0, 4));
                    }
                }
                int size = Math.toIntExact(count(shape));
                long[] values = new long[size];
                for (int k = 0; k < size; k++) {
                    values[k] = next++;
                }
                inputs.put(spec.name(), tensor(spec.type(), values, shape));
            }
            jobs.add(new InferenceJob(inputs, Set.of(), examples, null, null));
        }

        BatchAssembler.Merged merged = BatchAssembler.merge(specs, jobs, padValues);
        int total = jobs.stream().mapToInt(InferenceJob::examples).sum();
        assertEquals(total, merged.total());
        if (jobCount == 1) {
            assertSame(jobs.get(0).inputs(), merged.inputs(), "a lone request runs as it came");
        } else {
            for (TensorSpec spec : specs.values()) {
                checkMerged(spec, jobs, merged.inputs().get(spec.name()), padValues.getOrDefault(spec.name(), 0L));
            }
        }

        // Outputs: echoes of the merged inputs with fuzzed axis names, an axis of its own, maybe one with no batch.
        Map<String, TensorSpec> outputSpecs = new LinkedHashMap<>();
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        Map<String, TensorSpec> echoed = new HashMap<>();
        for (TensorSpec spec : specs.values()) {
            String name = "echo_" + spec.name();
            String[] dims = new String[spec.rank()];
            for (int i = 0; i < dims.length; i++) {
                int choice = data.consumeInt(0, 2);
                dims[i] = choice == 0 ? spec.dimName(i) : choice == 1 ? "" : name + "_dynamic_axes_" + (i + 1);
            }
            outputSpecs.put(name, new TensorSpec(name, ElementType.FLOAT, spec.shape(), dims));
            outputs.put(name, asFloats(merged.inputs().get(spec.name())));
            echoed.put(name, spec);
        }
        int labels = data.consumeInt(0, 5);
        outputSpecs.put("scores", new TensorSpec("scores", ElementType.FLOAT, new long[]{-1, -1},
                new String[]{"batch", "labels"}));
        outputs.put("scores", tensor(ElementType.FLOAT, iota(total * labels), new long[]{total, labels}));
        boolean unbatched = data.consumeBoolean();
        if (unbatched) {
            outputSpecs.put("pooled", new TensorSpec("pooled", ElementType.FLOAT, new long[]{-1},
                    new String[]{""}));
            outputs.put("pooled", tensor(ElementType.FLOAT, iota(total + 1), new long[]{total + 1}));
        }

        int offset = 0;
        for (int j = 0; j < jobCount; j++) {
            InferenceJob job = jobs.get(j);
            int index = j;
            int start = offset;
            if (unbatched && jobCount > 1) {
                assertThrows(ServingException.class, () -> BatchAssembler.split(merged, index, start,
                        job.examples(), outputs, outputSpecs, List.of("pooled")));
            }
            List<String> wanted = new ArrayList<>(echoed.keySet());
            wanted.add("scores");
            Map<String, HostTensor> own = BatchAssembler.split(merged, j, offset, job.examples(), outputs,
                    outputSpecs, wanted);
            assertEquals(wanted, new ArrayList<>(own.keySet()));
            for (String name : echoed.keySet()) {
                TensorSpec input = echoed.get(name);
                checkEcho(input, outputSpecs.get(name), job.inputs().get(input.name()), own.get(name),
                        merged.inputs().get(input.name()).shape(), padValues.getOrDefault(input.name(), 0L),
                        jobCount == 1);
            }
            HostTensor scores = own.get("scores");
            assertArrayEquals(new long[]{job.examples(), labels}, scores.shape());
            float[] all = outputs.get("scores").floats();
            assertArrayEquals(Arrays.copyOfRange(all, offset * labels, (offset + job.examples()) * labels),
                    scores.floats());
            offset += job.examples();
        }
    }

    /** Every cell of the merged input is the request's value at the same place, or the pad value outside it. */
    private static void checkMerged(TensorSpec spec, List<InferenceJob> jobs, HostTensor batch, long pad) {
        assertEquals(spec.type(), batch.type());
        long[] shape = batch.shape();
        assertEquals(spec.rank(), shape.length);
        for (int i = 1; i < shape.length; i++) {
            long longest = 0;
            for (InferenceJob job : jobs) {
                longest = Math.max(longest, job.inputs().get(spec.name()).shape()[i]);
            }
            assertEquals(longest, shape[i], spec.name() + " axis " + i);
        }
        // Walk the merged tensor cell by cell, tracking which request each row belongs to.
        int[] owner = new int[(int) shape[0]];
        long[] ownerRow = new long[(int) shape[0]];
        int r = 0;
        for (int j = 0; j < jobs.size(); j++) {
            for (int k = 0; k < jobs.get(j).examples(); k++, r++) {
                owner[r] = j;
                ownerRow[r] = k;
            }
        }
        long[] cell = new long[shape.length];
        int size = Math.toIntExact(count(shape));
        for (int flat = 0; flat < size; flat++) {
            unflatten(flat, shape, cell);
            HostTensor part = jobs.get(owner[(int) cell[0]]).inputs().get(spec.name());
            long[] local = cell.clone();
            local[0] = ownerRow[(int) cell[0]];
            long want = within(local, part.shape()) ? value(part, flatten(local, part.shape())) : pad;
            assertEquals(want, value(batch, flat), spec.name() + " at " + Arrays.toString(cell));
        }
    }

    /** A request's part of an echoed input: its own values, cut or left padded as the properties allow. */
    private static void checkEcho(TensorSpec input, TensorSpec output, HostTensor part, HostTensor own,
                                  long[] padded, long pad, boolean alone) {
        long[] shape = own.shape();
        assertEquals(part.shape().length, shape.length);
        assertEquals(part.shape()[0], shape[0], output.name() + " rows");
        for (int i = 1; i < shape.length; i++) {
            boolean followsInput = !output.dimName(i).isEmpty() && output.dimName(i).equals(input.dimName(i));
            if (alone || followsInput || !input.dynamic(i)) {
                assertEquals(part.shape()[i], shape[i], output.name() + " axis " + i + " " + output.describeShape());
            } else {
                assertTrue(shape[i] == part.shape()[i] || shape[i] == padded[i], output.name() + " axis " + i
                        + " is " + shape[i] + ", neither the request's " + part.shape()[i] + " nor the batch's "
                        + padded[i]);
            }
        }
        long[] cell = new long[shape.length];
        int size = Math.toIntExact(count(shape));
        for (int flat = 0; flat < size; flat++) {
            unflatten(flat, shape, cell);
            float want = within(cell, part.shape()) ? value(part, flatten(cell, part.shape())) : pad;
            assertEquals(want, own.floats()[flat], output.name() + " at " + Arrays.toString(cell));
        }
    }

    private static boolean within(long[] cell, long[] shape) {
        for (int i = 0; i < cell.length; i++) {
            if (cell[i] >= shape[i]) {
                return false;
            }
        }
        return true;
    }

    private static void unflatten(long flat, long[] shape, long[] cell) {
        for (int i = shape.length - 1; i >= 0; i--) {
            cell[i] = flat % shape[i];
            flat /= shape[i];
        }
    }

    private static int flatten(long[] cell, long[] shape) {
        long flat = 0;
        for (int i = 0; i < shape.length; i++) {
            flat = flat * shape[i] + cell[i];
        }
        return Math.toIntExact(flat);
    }

    private static long value(HostTensor t, int flat) {
        switch (t.type()) {
            case FLOAT:
                return (long) t.floats()[flat];
            case INT64:
                return t.longs()[flat];
            default:
                return t.ints()[flat];
        }
    }

    private static HostTensor asFloats(HostTensor t) {
        float[] values = new float[Math.toIntExact(count(t.shape()))];
        for (int i = 0; i < values.length; i++) {
            values[i] = value(t, i);
        }
        return HostTensor.ofFloats(values, t.shape().clone());
    }

    private static HostTensor tensor(ElementType type, long[] values, long[] shape) {
        switch (type) {
            case FLOAT: {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = values[i];
                }
                return HostTensor.ofFloats(f, shape);
            }
            case INT64:
                return HostTensor.ofLongs(values, shape);
            default: {
                int[] v = new int[values.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (int) values[i];
                }
                return HostTensor.ofInts(v, shape);
            }
        }
    }

    private static long[] iota(int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = i + 1;
        }
        return v;
    }

    private static long count(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
