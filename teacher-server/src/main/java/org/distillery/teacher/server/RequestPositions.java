package org.distillery.teacher.server;

import org.distillery.common.errors.ServingException;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.Tensor;
import org.distillery.teacher.batching.RowSelector;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.TensorSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request's {@code positions}: INT32 {@code [batch, P]}, -1 for none, else a position in the example's sequence.
 * Checked in two steps: the tensor itself before anything is tokenized or decoded, then against each member's
 * inputs (the batch and each example's length). The result is the {@link RowSelector} the batcher gathers with.
 */
final class RequestPositions {
    /** How torch's exporter names each tensor's dynamic axes on its own: such a name says nothing. */
    private static final Pattern TORCH_AUTO_NAME = Pattern.compile(".*_dynamic_axes_\\d+");

    private final int[] values;
    private final long batch;
    private final long perExample;
    private final Set<String> outputs;

    private RequestPositions(int[] values, long batch, long perExample, Set<String> outputs) {
        this.values = values;
        this.batch = batch;
        this.perExample = perExample;
        this.outputs = outputs;
    }

    /**
     * Checks the tensor and that some requested output has a sequence axis.
     *
     * @param outputs the requested outputs
     * @throws ServingException INVALID_ARGUMENT naming 'positions', what was expected and what arrived;
     *                          RESOURCE_EXHAUSTED past the per-tensor element limit
     */
    static RequestPositions parse(Tensor tensor, Endpoint endpoint, List<String> outputs, long maxElements) {
        if (tensor.getDtype() != DataType.INT32) {
            throw ServingException.invalidArgument("positions: expected dtype INT32 [batch, P] (-1 where an "
                    + "example has fewer), got " + tensor.getDtype());
        }
        long[] shape = TensorCodec.shape(tensor);
        if (shape.length != 2) {
            throw ServingException.invalidArgument("positions: expected rank 2 [batch, P], got rank " + shape.length
                    + " " + tensor.getShapeList());
        }
        long elements = TensorCodec.elementCount("positions", shape);
        if (elements > maxElements) {
            throw ServingException.resourceExhausted("positions: " + elements + " elements, more than the limit of "
                    + maxElements + " per tensor (--max-request-elements)");
        }
        Set<String> sequenceOutputs = new LinkedHashSet<>();
        List<String> others = new ArrayList<>();
        for (String name : outputs) {
            TensorSpec spec = endpoint.outputs().get(name);
            if (hasSequenceAxis(spec, endpoint.inputs())) {
                sequenceOutputs.add(name);
            } else {
                others.add(spec.name() + " " + spec.describeShape());
            }
        }
        if (sequenceOutputs.isEmpty()) {
            throw ServingException.invalidArgument("positions: none of the requested outputs of model '"
                    + endpoint.name() + "' has a sequence axis ([batch, sequence, ...]) to select from: " + others);
        }
        int[] values = TensorCodec.decodeInts("positions", tensor);
        return new RequestPositions(values, shape[0], shape[1], sequenceOutputs);
    }

    /**
     * True when an output is shaped {@code [batch, sequence, ...]}: rank 3 or more and axis 1 is the inputs' axis 1
     * — the same symbolic name, or both dynamic where the output's axis has no name of its own, or both fixed to one
     * size. An output axis with a name of its own ({@code heads}, {@code labels}) is not a sequence.
     */
    static boolean hasSequenceAxis(TensorSpec output, Map<String, TensorSpec> inputs) {
        if (output.rank() < 3) {
            return false;
        }
        String name = output.dimName(1);
        boolean named = !name.isEmpty() && !TORCH_AUTO_NAME.matcher(name).matches();
        for (TensorSpec input : inputs.values()) {
            if (input.rank() < 2) {
                continue;
            }
            if (output.dynamic(1)) {
                if (named ? name.equals(input.dimName(1)) : input.dynamic(1)) {
                    return true;
                }
            } else if (!input.dynamic(1) && input.shape()[1] == output.shape()[1]) {
                return true;
            }
        }
        return false;
    }

    /** The outputs the positions apply to: those requested that have a sequence axis. */
    Set<String> outputs() {
        return outputs;
    }

    /**
     * Checks the positions against one member's inputs and gives the rows to gather.
     *
     * @param lengths per example, its sequence length
     * @param source  where the examples came from, for messages ("inputs", "texts")
     * @param what    what a length is, for messages ("tokenized length")
     */
    RowSelector select(int examples, int[] lengths, String source, String what) {
        if (batch != examples) {
            throw ServingException.invalidArgument("positions: expected batch " + examples + " (the request's "
                    + "examples, from " + source + "), got " + batch + " (shape [" + batch + ", " + perExample + "])");
        }
        // The batch matched the request's examples, so there are at most maxRequestElements values.
        int per = (int) perExample;
        int kept = 0;
        for (int e = 0; e < examples; e++) {
            for (int j = 0; j < per; j++) {
                int p = values[e * per + j];
                if (p == -1) {
                    continue;
                }
                if (p < -1 || p >= lengths[e]) {
                    throw ServingException.invalidArgument("positions: value " + p + " at [" + e + ", " + j
                            + "] (example " + e + ") is outside [0, " + lengths[e] + "), example " + e + "'s "
                            + what + "; expected -1 (none) or a position in that range");
                }
                kept++;
            }
        }
        int[] rowExamples = new int[kept];
        int[] rowPositions = new int[kept];
        int r = 0;
        for (int e = 0; e < examples; e++) {
            for (int j = 0; j < per; j++) {
                int p = values[e * per + j];
                if (p >= 0) {
                    rowExamples[r] = e;
                    rowPositions[r++] = p;
                }
            }
        }
        return new RowSelector(rowExamples, rowPositions, outputs);
    }

    /**
     * The rows a member's job keeps: the positions checked against its examples and their lengths — each text's
     * token count for texts; for tensors, axis 1 of the first input that has one (inputs sharing the axis' name
     * agree on it).
     *
     * @param textLengths per text, its tokens; null for a tensor request
     */
    RowSelector select(ServedModel member, Map<String, HostTensor> inputs, int examples, int[] textLengths) {
        if (textLengths != null) {
            return select(examples, textLengths, "texts", "tokenized length");
        }
        for (Map.Entry<String, HostTensor> e : inputs.entrySet()) {
            if (e.getValue().shape().length >= 2) {
                int[] lengths = new int[examples];
                Arrays.fill(lengths, (int) e.getValue().shape()[1]);
                return select(examples, lengths, "inputs", "sequence length (axis 1 of input '" + e.getKey() + "')");
            }
        }
        throw ServingException.invalidArgument("positions: model '" + member.name() + "' has no input with a "
                + "sequence axis (axis 1) to take positions in; its inputs are " + member.inputs().values());
    }
}
