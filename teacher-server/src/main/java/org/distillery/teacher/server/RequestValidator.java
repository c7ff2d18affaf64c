package org.distillery.teacher.server;

import org.distillery.common.errors.ServingException;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.Tensor;
import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.InputBounds;
import org.distillery.teacher.runtime.TensorSpec;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks a request's tensors against a model's inputs and decodes them. Every refusal names the tensor, what was
 * expected and what arrived; limits are checked before anything is decoded.
 */
final class RequestValidator {
    private final ServerLimits limits;

    RequestValidator(ServerLimits limits) {
        this.limits = limits;
    }

    /** Decoded inputs of a tensor request for one model. */
    Map<String, HostTensor> tensors(ServedModel model, InferRequest request) {
        Map<String, TensorSpec> specs = model.inputs();
        for (String name : request.getInputsMap().keySet()) {
            if (!specs.containsKey(name)) {
                throw ServingException.invalidArgument("unknown input '" + name + "' for model '" + model.name()
                        + "'; its inputs are " + specs.values());
            }
        }
        String batchFrom = null;
        long batch = -1;
        Map<String, String> dimOwner = new HashMap<>();
        Map<String, Long> dimSize = new HashMap<>();
        for (TensorSpec spec : specs.values()) {
            Tensor t = request.getInputsMap().get(spec.name());
            if (t == null) {
                throw ServingException.invalidArgument("missing input '" + spec.name() + "' (" + spec.type()
                        + " " + spec.describeShape() + ") for model '" + model.name() + "'");
            }
            checkDtype(spec, t.getDtype());
            long[] shape = TensorCodec.shape(t);
            if (shape.length != spec.rank()) {
                throw ServingException.invalidArgument("input '" + spec.name() + "': expected rank " + spec.rank()
                        + " " + spec.describeShape() + ", got rank " + shape.length + " " + t.getShapeList());
            }
            long elements = TensorCodec.elementCount(spec.name(), shape);
            if (elements > limits.maxRequestElements()) {
                throw ServingException.resourceExhausted("input '" + spec.name() + "': " + elements
                        + " elements, more than the limit of " + limits.maxRequestElements()
                        + " per tensor (--max-request-elements)");
            }
            for (int i = 1; i < shape.length; i++) {
                if (shape[i] == 0) {
                    throw ServingException.invalidArgument("input '" + spec.name() + "': dimension " + i
                            + (spec.dimName(i).isEmpty() ? "" : " (" + spec.dimName(i) + ")") + " is 0; every axis "
                            + "but the batch needs at least 1 element (" + spec.describeShape() + "), got "
                            + t.getShapeList());
                }
                if (!spec.dynamic(i) && shape[i] != spec.shape()[i]) {
                    throw ServingException.invalidArgument("input '" + spec.name() + "': dimension " + i
                            + " must be " + spec.shape()[i] + " (" + spec.describeShape() + "), got " + shape[i]);
                }
                String dim = spec.dimName(i);
                if (spec.dynamic(i) && !dim.isEmpty()) {
                    Long seen = dimSize.putIfAbsent(dim, shape[i]);
                    dimOwner.putIfAbsent(dim, spec.name());
                    if (seen != null && seen != shape[i]) {
                        throw ServingException.invalidArgument("inputs disagree on dimension '" + dim + "': '"
                                + dimOwner.get(dim) + "' has " + seen + ", '" + spec.name() + "' has " + shape[i]);
                    }
                }
            }
            if (batchFrom == null) {
                batchFrom = spec.name();
                batch = shape[0];
            } else if (shape[0] != batch) {
                throw ServingException.invalidArgument("inputs disagree on batch size: '" + batchFrom + "' has "
                        + batch + ", '" + spec.name() + "' has " + shape[0]);
            }
        }
        checkBatch(batch);
        for (TensorSpec spec : specs.values()) {
            checkSequence(model, spec.name(), spec.type(), TensorCodec.shape(request.getInputsMap().get(spec.name())));
        }
        Map<String, HostTensor> decoded = new LinkedHashMap<>();
        for (TensorSpec spec : specs.values()) {
            Tensor t = request.getInputsMap().get(spec.name());
            long[] shape = TensorCodec.shape(t);
            switch (spec.type()) {
                case FLOAT:
                    decoded.put(spec.name(), HostTensor.ofFloats(TensorCodec.decodeFloats(spec.name(), t), shape));
                    break;
                case INT64:
                    decoded.put(spec.name(), HostTensor.ofLongs(TensorCodec.decodeLongs(spec.name(), t), shape));
                    break;
                default:
                    decoded.put(spec.name(), HostTensor.ofInts(TensorCodec.decodeInts(spec.name(), t), shape));
            }
        }
        checkValues(model, decoded);
        return decoded;
    }

    /**
     * Checks inputs the server made itself (from texts) against the model's bounds: a tokenizer that does not match
     * the graph must not reach ONNX Runtime with ids past its tables.
     */
    void checkTokens(ServedModel model, Map<String, HostTensor> inputs) {
        inputs.forEach((name, t) -> checkSequence(model, name, t.type(), t.shape()));
        checkValues(model, inputs);
    }

    /** An integer input's axis 1 is its sequence: at most what the position table (or max_length) allows. */
    private static void checkSequence(ServedModel model, String name, ElementType type, long[] shape) {
        InputBounds bounds = model.bounds();
        if (type == ElementType.FLOAT || shape.length < 2 || bounds.maxSequence() <= 0
                || shape[1] <= bounds.maxSequence()) {
            return;
        }
        throw ServingException.invalidArgument("input '" + name + "': sequence of " + shape[1] + " is longer than "
                + "model '" + model.name() + "' takes: at most " + bounds.maxSequence()
                + (bounds.positions() != null ? " (the rows of its position table '" + bounds.positions() + "')"
                : " (max_length)"));
    }

    /** Values of inputs that index an embedding table must be row numbers of that table. */
    private static void checkValues(ServedModel model, Map<String, HostTensor> inputs) {
        for (Map.Entry<String, InputBounds.Table> e : model.bounds().tables().entrySet()) {
            HostTensor t = inputs.get(e.getKey());
            if (t == null) {
                continue;
            }
            long rows = e.getValue().rows();
            int n = t.size();
            for (int i = 0; i < n; i++) {
                long v = t.type() == ElementType.INT64 ? t.longs()[i] : t.ints()[i];
                if (v < 0 || v >= rows) {
                    throw ServingException.invalidArgument("input '" + e.getKey() + "': value " + v + " at "
                            + position(i, t.shape()) + " is outside [0, " + rows + "), the rows of embedding '"
                            + e.getValue().initializer() + "' of model '" + model.name() + "'");
                }
            }
        }
    }

    /** The multi-index of flat position {@code i} in {@code shape}, as {@code [b, s]}. */
    private static String position(int i, long[] shape) {
        long[] index = new long[shape.length];
        long rest = i;
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = shape[d] == 0 ? 0 : rest % shape[d];
            rest = shape[d] == 0 ? 0 : rest / shape[d];
        }
        return java.util.Arrays.toString(index);
    }

    /** Refuses an empty batch or one over the limit. */
    void checkBatch(long batch) {
        if (batch < 1) {
            throw ServingException.invalidArgument("batch size must be >= 1, got " + batch);
        }
        if (batch > limits.maxRequestExamples()) {
            throw ServingException.resourceExhausted("batch of " + batch + " examples is over the limit of "
                    + limits.maxRequestExamples() + " per request (--max-request-examples)");
        }
    }

    private static void checkDtype(TensorSpec spec, DataType dtype) {
        boolean ok = spec.type() == ElementType.FLOAT ? TensorCodec.isFloat(dtype) : dtype == spec.type().wire();
        if (!ok) {
            String expected = spec.type() == ElementType.FLOAT ? "FLOAT32 (or FLOAT16, BFLOAT16)"
                    : spec.type().wire().name();
            throw ServingException.invalidArgument("input '" + spec.name() + "': expected dtype " + expected
                    + ", got " + dtype);
        }
    }
}
