package org.distillery.common.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto.AttributeType;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * ONNX operators that {@code tribuo-util-onnx}'s {@link org.tribuo.util.onnx.ONNXOperators} lacks, at the opset
 * {@link OnnxGraphWriter#OPSET} our models declare.
 */
public enum ExtraOps implements ONNXOperator {
    MAT_MUL("MatMul", 2, 0),
    LOG_SOFTMAX("LogSoftmax", 1, 0, attr("axis", AttributeType.INT)),
    RELU("Relu", 1, 0),
    TANH("Tanh", 1, 0),
    ERF("Erf", 1, 0),
    TRANSPOSE("Transpose", 1, 0, attr("perm", AttributeType.INTS)),
    RESHAPE("Reshape", 2, 0, attr("allowzero", AttributeType.INT)),
    SQRT("Sqrt", 1, 0),
    LAYER_NORMALIZATION("LayerNormalization", 2, 1, attr("axis", AttributeType.INT),
            attr("epsilon", AttributeType.FLOAT), attr("stash_type", AttributeType.INT)),
    SHAPE("Shape", 1, 0, attr("start", AttributeType.INT), attr("end", AttributeType.INT)),
    EXPAND("Expand", 2, 0),
    SLICE("Slice", 3, 2),
    MAX("Max", 2, 0),
    REDUCE_SUM("ReduceSum", 2, 0, attr("keepdims", AttributeType.INT));

    private final String opName;
    private final int inputs;
    private final int optionalInputs;
    private final Map<String, ONNXAttribute> attributes;

    ExtraOps(String opName, int inputs, int optionalInputs, ONNXAttribute... attributes) {
        this.opName = opName;
        this.inputs = inputs;
        this.optionalInputs = optionalInputs;
        Map<String, ONNXAttribute> map = new LinkedHashMap<>();
        for (ONNXAttribute a : attributes) {
            map.put(a.getName(), a);
        }
        this.attributes = Collections.unmodifiableMap(map);
    }

    private static ONNXAttribute attr(String name, AttributeType type) {
        return new ONNXAttribute(name, type, false);
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return inputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return optionalInputs;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        Set<String> names = new HashSet<>();
        for (ONNXAttribute a : attributes.values()) {
            if (a.isMandatory()) {
                names.add(a.getName());
            }
        }
        return names;
    }

    @Override
    public int getOpVersion() {
        return OnnxGraphWriter.OPSET;
    }

    @Override
    public String getOpDomain() {
        return null;
    }
}
