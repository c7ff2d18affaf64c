package org.distillery.student.options;

import com.google.gson.annotations.SerializedName;
import org.distillery.proto.v1.DataType;

import java.util.Arrays;
import java.util.Locale;

/** The number format of teacher outputs on the wire. */
public enum WireDtype {
    @SerializedName("fp16") FP16(DataType.FLOAT16),
    @SerializedName("bf16") BF16(DataType.BFLOAT16),
    @SerializedName("fp32") FP32(DataType.FLOAT32);

    private final DataType proto;

    WireDtype(DataType proto) {
        this.proto = proto;
    }

    /** The contract's data type. */
    public DataType proto() {
        return proto;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException listing the choices */
    public static WireDtype parse(String text) {
        return Arrays.stream(values()).filter(v -> v.id().equals(text)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("--wire-dtype must be fp16, bf16 or fp32, got '" + text + "'"));
    }

    @Override
    public String toString() {
        return id();
    }
}
