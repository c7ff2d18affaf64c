package org.distillery.teacher.soak;

import ai.onnxruntime.OrtException;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.Tensor;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.OnnxModel;
import org.distillery.teacher.runtime.SessionFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The answers good requests must get: each distinct good request run once by ONNX Runtime in this process on the
 * same model file, alone (no batching, no padding). A served answer matches when every requested output has the
 * reference's shape and each value is within {@link #TOLERANCE} of it.
 */
public final class References {
    /** Largest difference allowed between a served fp32 value and the reference, absolute (relative above 1). */
    public static final double TOLERANCE = 1e-4;

    private final List<Map<String, HostTensor>> expected = new ArrayList<>();

    private References() {
    }

    /** Runs every good request once in-process. */
    public static References compute(Path model, List<InferRequest> good) throws OrtException {
        References references = new References();
        try (OnnxModel session = OnnxModel.load(SoakTeacher.NAME, model, new SessionFactory(Device.CPU, 1))) {
            for (InferRequest request : good) {
                Map<String, HostTensor> feeds = new LinkedHashMap<>();
                request.getInputsMap().forEach((name, t) -> feeds.put(name,
                        HostTensor.ofLongs(TensorCodec.decodeLongs(name, t), TensorCodec.shape(t))));
                references.expected.add(session.run(feeds, new LinkedHashSet<>(request.getOutputsList())));
            }
        }
        return references;
    }

    /** Null when the response to good request {@code index} is right, else what is wrong with it. */
    public String mismatch(int index, InferResponse response) {
        if (response.hasError()) {
            return "an error response (" + response.getError().getCode() + ": " + response.getError().getMessage()
                    + ") to a good request";
        }
        for (Map.Entry<String, HostTensor> e : expected.get(index).entrySet()) {
            Tensor got = response.getOutputsMap().get(e.getKey());
            if (got == null) {
                return "output '" + e.getKey() + "' missing (got " + response.getOutputsMap().keySet() + ")";
            }
            long[] shape = TensorCodec.shape(got);
            if (!Arrays.equals(shape, e.getValue().shape())) {
                return "output '" + e.getKey() + "' has shape " + Arrays.toString(shape) + ", expected "
                        + Arrays.toString(e.getValue().shape());
            }
            float[] values = TensorCodec.decodeFloats(e.getKey(), got);
            float[] want = e.getValue().floats();
            for (int i = 0; i < want.length; i++) {
                double diff = Math.abs(values[i] - want[i]);
                if (!(diff <= TOLERANCE * Math.max(1, Math.abs(want[i])))) {
                    return "output '" + e.getKey() + "'[" + i + "] = " + values[i] + ", expected " + want[i]
                            + " (difference " + diff + " over " + TOLERANCE + ")";
                }
            }
        }
        return null;
    }
}
