package org.distillery.teacher.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX graph in an ONNX Runtime session, with its input and output specs. Runs are thread-safe.
 * Every input and output must be float32, int64 or int32, and every input must have a dynamic batch axis 0.
 */
public final class OnnxModel implements AutoCloseable {
    private final String name;
    private final Path path;
    private final OrtSession session;
    private final Map<String, TensorSpec> inputs;
    private final Map<String, TensorSpec> outputs;
    private final Map<String, String> metadata;

    private OnnxModel(String name, Path path, OrtSession session, Map<String, TensorSpec> inputs,
                      Map<String, TensorSpec> outputs, Map<String, String> metadata) {
        this.name = name;
        this.path = path;
        this.session = session;
        this.inputs = inputs;
        this.outputs = outputs;
        this.metadata = metadata;
    }

    /**
     * Loads a model file and checks that the server can batch it.
     *
     * @throws IllegalArgumentException naming the model and the offending input or output
     */
    public static OnnxModel load(String name, Path path, SessionFactory sessions) throws OrtException {
        OrtSession session = sessions.open(path);
        try {
            Map<String, TensorSpec> inputs = specs(name, "input", session.getInputInfo());
            Map<String, TensorSpec> outputs = specs(name, "output", session.getOutputInfo());
            for (TensorSpec in : inputs.values()) {
                if (in.rank() == 0 || in.shape()[0] >= 0) {
                    throw new IllegalArgumentException("model '" + name + "' (" + path + "): input '" + in.name()
                            + "' has shape " + in.describeShape() + "; expected a dynamic batch axis first");
                }
            }
            Map<String, String> metadata = new HashMap<>(session.getMetadata().getCustomMetadata());
            return new OnnxModel(name, path, session, inputs, outputs, Collections.unmodifiableMap(metadata));
        } catch (RuntimeException | OrtException e) {
            session.close();
            throw e;
        }
    }

    private static Map<String, TensorSpec> specs(String model, String kind, Map<String, NodeInfo> infos) {
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (NodeInfo node : infos.values()) {
            if (!(node.getInfo() instanceof TensorInfo)) {
                throw new IllegalArgumentException("model '" + model + "': " + kind + " '" + node.getName()
                        + "' is " + node.getInfo() + "; expected a tensor");
            }
            TensorInfo info = (TensorInfo) node.getInfo();
            ElementType type = ElementType.fromOrt(info.type);
            if (type == null) {
                throw new IllegalArgumentException("model '" + model + "': " + kind + " '" + node.getName()
                        + "' has element type " + info.onnxType + "; expected FLOAT, INT64 or INT32");
            }
            String[] names = info.getDimensionNames();
            specs.put(node.getName(), new TensorSpec(node.getName(), type, info.getShape(),
                    names == null ? new String[0] : names));
        }
        return Collections.unmodifiableMap(specs);
    }

    public String name() {
        return name;
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorSpec> inputs() {
        return inputs;
    }

    public Map<String, TensorSpec> outputs() {
        return outputs;
    }

    /** Custom metadata stored in the model file. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Runs the graph on the given inputs and returns the named outputs. */
    public Map<String, HostTensor> run(Map<String, HostTensor> feeds, Set<String> wanted) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, OnnxTensor> tensors = new HashMap<>();
        try {
            for (Map.Entry<String, HostTensor> e : feeds.entrySet()) {
                tensors.put(e.getKey(), toOrt(env, e.getValue()));
            }
            try (OrtSession.Result result = session.run(tensors, wanted)) {
                Map<String, HostTensor> out = new LinkedHashMap<>();
                for (Map.Entry<String, OnnxValue> e : result) {
                    out.put(e.getKey(), fromOrt((OnnxTensor) e.getValue()));
                }
                return out;
            }
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    private static OnnxTensor toOrt(OrtEnvironment env, HostTensor t) throws OrtException {
        switch (t.type()) {
            case FLOAT:
                return OnnxTensor.createTensor(env, FloatBuffer.wrap(t.floats()), t.shape());
            case INT64:
                return OnnxTensor.createTensor(env, LongBuffer.wrap(t.longs()), t.shape());
            default:
                return OnnxTensor.createTensor(env, IntBuffer.wrap(t.ints()), t.shape());
        }
    }

    private static HostTensor fromOrt(OnnxTensor tensor) {
        long[] shape = tensor.getInfo().getShape();
        OnnxJavaType type = tensor.getInfo().type;
        switch (type) {
            case FLOAT: {
                FloatBuffer b = tensor.getFloatBuffer();
                float[] a = new float[b.remaining()];
                b.get(a);
                return HostTensor.ofFloats(a, shape);
            }
            case INT64: {
                LongBuffer b = tensor.getLongBuffer();
                long[] a = new long[b.remaining()];
                b.get(a);
                return HostTensor.ofLongs(a, shape);
            }
            case INT32: {
                IntBuffer b = tensor.getIntBuffer();
                int[] a = new int[b.remaining()];
                b.get(a);
                return HostTensor.ofInts(a, shape);
            }
            default:
                throw new IllegalStateException("output of type " + type + " where the graph declared another");
        }
    }

    /** Input names in graph order. */
    public List<String> inputNames() {
        return new ArrayList<>(inputs.keySet());
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
