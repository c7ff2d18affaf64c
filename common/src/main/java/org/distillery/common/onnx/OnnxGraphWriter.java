package org.distillery.common.onnx;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

import org.distillery.common.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds an ONNX model on {@code tribuo-util-onnx}'s {@link ONNXContext}, adding what it lacks for our graphs:
 * inputs and outputs of any element type with symbolic dimension names, initializers that keep the exact names they
 * were given (PyTorch-style names such as {@code encoder.layer.0.attention.self.query.weight}), the operators in
 * {@link ExtraOps}, model metadata, and an atomic write. Models declare opset {@value #OPSET}.
 */
public final class OnnxGraphWriter {
    /** The default-domain opset every model written here declares. */
    public static final int OPSET = 17;
    /** IR version matching {@link #OPSET}. */
    public static final long IR_VERSION = 8;

    private final ONNXContext context = new ONNXContext();
    private final Map<String, OnnxMl.ValueInfoProto> inputs = new LinkedHashMap<>();
    private final Map<String, OnnxMl.ValueInfoProto> outputs = new LinkedHashMap<>();
    /** Generated initializer name to the name its creator asked for. */
    private final Map<String, String> initializerNames = new HashMap<>();

    /**
     * Declares a graph input.
     *
     * @param dims     sizes, -1 for a dynamic axis
     * @param dimNames symbolic names per axis, null entries for none
     */
    public ONNXPlaceholder input(String name, DataType type, long[] dims, String[] dimNames) {
        if (inputs.containsKey(name)) {
            throw new IllegalArgumentException("input '" + name + "' declared twice");
        }
        inputs.put(name, valueInfo(name, type, dims, dimNames));
        // The context only makes float placeholders; the type and shape are replaced when the model is built.
        return context.floatInput(name, 1);
    }

    /** Marks a value as a graph output with an exact name, element type and shape. */
    public void output(ONNXRef<?> value, String name, DataType type, long[] dims, String[] dimNames) {
        if (outputs.containsKey(name)) {
            throw new IllegalArgumentException("output '" + name + "' declared twice");
        }
        outputs.put(name, valueInfo(name, type, dims, dimNames));
        context.assignTo(value, context.floatOutput(name, 1));
    }

    /** A float initializer with shape {@code dims}, kept under exactly {@code name}. */
    public ONNXInitializer floats(String name, long[] dims, float[] values) {
        long count = 1;
        List<Integer> shape = new ArrayList<>();
        for (long d : dims) {
            count *= d;
            shape.add(Math.toIntExact(d));
        }
        if (count != values.length) {
            throw new IllegalArgumentException("initializer '" + name + "': shape " + Arrays.toString(dims)
                    + " needs " + count + " values, got " + values.length);
        }
        return remember(name, context.floatTensor(name, shape, buffer -> buffer.put(values)));
    }

    /** A 1-D int64 initializer (shapes, axes, indices). */
    public ONNXInitializer longs(String name, long... values) {
        return remember(name, context.array(name, values));
    }

    /** A float scalar (rank 0) initializer. */
    public ONNXInitializer scalar(String name, float value) {
        return remember(name, context.constant(name, value));
    }

    /** An int64 scalar (rank 0) initializer. */
    public ONNXInitializer scalar(String name, long value) {
        return remember(name, context.constant(name, value));
    }

    private ONNXInitializer remember(String name, ONNXInitializer initializer) {
        initializerNames.put(initializer.getReference(), name);
        return initializer;
    }

    /** Applies an operator to inputs; the output gets a generated name. */
    public ONNXNode apply(ONNXOperator op, List<? extends ONNXRef<?>> in, Map<String, Object> attributes) {
        return context.operation(op, in, op.getOpName().toLowerCase(), attributes);
    }

    /** Applies an operator without attributes. */
    public ONNXNode apply(ONNXOperator op, ONNXRef<?>... in) {
        return apply(op, Arrays.asList(in), Map.of());
    }

    public ONNXNode add(ONNXRef<?> a, ONNXRef<?> b) {
        return apply(ONNXOperators.ADD, a, b);
    }

    public ONNXNode mul(ONNXRef<?> a, ONNXRef<?> b) {
        return apply(ONNXOperators.MUL, a, b);
    }

    public ONNXNode matMul(ONNXRef<?> a, ONNXRef<?> b) {
        return apply(ExtraOps.MAT_MUL, a, b);
    }

    /**
     * {@code x · Wᵀ + b} for a PyTorch-layout weight {@code [out, in]} on an input of any rank; the transpose of
     * the initializer is folded by ONNX Runtime at load.
     */
    public ONNXNode linear(ONNXRef<?> x, ONNXRef<?> weight, ONNXRef<?> bias) {
        ONNXNode transposed = apply(ExtraOps.TRANSPOSE, List.of(weight), Map.of("perm", new int[]{1, 0}));
        ONNXNode product = matMul(x, transposed);
        return bias == null ? product : add(product, bias);
    }

    /** Layer normalization over the last axis. */
    public ONNXNode layerNorm(ONNXRef<?> x, ONNXRef<?> gamma, ONNXRef<?> beta, float epsilon) {
        return apply(ExtraOps.LAYER_NORMALIZATION, List.of(x, gamma, beta), Map.of("axis", -1, "epsilon", epsilon));
    }

    /** Exact GELU: {@code x · 0.5 · (1 + erf(x / √2))}. */
    public ONNXNode gelu(ONNXRef<?> x) {
        ONNXNode scaled = mul(x, scalar("gelu_inv_sqrt2", (float) (1.0 / Math.sqrt(2.0))));
        ONNXNode erf = apply(ExtraOps.ERF, scaled);
        ONNXNode onePlus = add(erf, scalar("gelu_one", 1.0f));
        return mul(mul(x, onePlus), scalar("gelu_half", 0.5f));
    }

    public ONNXNode reshape(ONNXRef<?> x, long... shape) {
        return apply(ExtraOps.RESHAPE, x, longs("reshape_shape", shape));
    }

    public ONNXNode transpose(ONNXRef<?> x, int... perm) {
        return apply(ExtraOps.TRANSPOSE, List.of(x), Map.of("perm", perm));
    }

    /** Builds the model proto; {@code metadata} lands in the model's metadata_props. */
    public OnnxMl.ModelProto model(String graphName, String producerVersion, Map<String, String> metadata) {
        context.setName(graphName);
        OnnxMl.GraphProto graph = context.buildGraph();
        OnnxMl.GraphProto.Builder builder = graph.toBuilder();
        builder.clearInput().addAllInput(inputs.values());
        builder.clearOutput().addAllOutput(outputs.values());
        renameInitializers(builder);
        OnnxMl.ModelProto.Builder model = OnnxMl.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("distillery")
                .setProducerVersion(producerVersion)
                .setGraph(builder)
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        metadata.forEach((k, v) -> model.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k)
                .setValue(v)));
        return model.build();
    }

    /** Writes a model to {@code target} through a temporary file and an atomic rename. */
    public static void write(OnnxMl.ModelProto model, Path target) throws IOException {
        AtomicFiles.write(target, model::writeTo);
    }

    /** Gives initializers back the names they were asked for, where no two asked for the same name. */
    private void renameInitializers(OnnxMl.GraphProto.Builder graph) {
        Map<String, Integer> requested = new HashMap<>();
        initializerNames.values().forEach(n -> requested.merge(n, 1, Integer::sum));
        Map<String, String> rename = new HashMap<>();
        initializerNames.forEach((generated, wanted) -> {
            if (requested.get(wanted) == 1 && !inputs.containsKey(wanted) && !outputs.containsKey(wanted)) {
                rename.put(generated, wanted);
            }
        });
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            String name = graph.getInitializer(i).getName();
            if (rename.containsKey(name)) {
                graph.setInitializer(i, graph.getInitializer(i).toBuilder().setName(rename.get(name)));
            }
        }
        for (int i = 0; i < graph.getNodeCount(); i++) {
            OnnxMl.NodeProto node = graph.getNode(i);
            OnnxMl.NodeProto.Builder nb = null;
            for (int j = 0; j < node.getInputCount(); j++) {
                String renamed = rename.get(node.getInput(j));
                if (renamed != null) {
                    if (nb == null) {
                        nb = node.toBuilder();
                    }
                    nb.setInput(j, renamed);
                }
            }
            if (nb != null) {
                graph.setNode(i, nb);
            }
        }
    }

    private static OnnxMl.ValueInfoProto valueInfo(String name, DataType type, long[] dims, String[] dimNames) {
        if (dimNames != null && dimNames.length != dims.length) {
            throw new IllegalArgumentException("'" + name + "': " + dims.length + " dims but " + dimNames.length
                    + " dim names");
        }
        OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
        for (int i = 0; i < dims.length; i++) {
            OnnxMl.TensorShapeProto.Dimension.Builder dim = OnnxMl.TensorShapeProto.Dimension.newBuilder();
            String dimName = dimNames == null ? null : dimNames[i];
            if (dimName != null) {
                dim.setDimParam(dimName);
            } else if (dims[i] >= 0) {
                dim.setDimValue(dims[i]);
            }
            shape.addDim(dim);
        }
        OnnxMl.TypeProto.Tensor tensorType = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type.getNumber())
                .setShape(shape).build();
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tensorType)).build();
    }
}
