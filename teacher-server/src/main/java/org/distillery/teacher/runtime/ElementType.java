package org.distillery.teacher.runtime;

import ai.onnxruntime.OnnxJavaType;
import org.distillery.proto.v1.DataType;

/** Element types a served graph may use for inputs and outputs. */
public enum ElementType {
    FLOAT(DataType.FLOAT32),
    INT64(DataType.INT64),
    INT32(DataType.INT32);

    private final DataType wire;

    ElementType(DataType wire) {
        this.wire = wire;
    }

    /** The wire dtype a client sees in model info. */
    public DataType wire() {
        return wire;
    }

    /** Maps an ONNX Runtime type, or returns null for a type the server does not handle. */
    public static ElementType fromOrt(OnnxJavaType type) {
        switch (type) {
            case FLOAT:
                return FLOAT;
            case INT64:
                return INT64;
            case INT32:
                return INT32;
            default:
                return null;
        }
    }
}
