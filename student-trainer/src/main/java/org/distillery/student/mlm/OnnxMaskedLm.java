package org.distillery.student.mlm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.distillery.common.text.TokenIds;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX masked LM (a teacher, an exported student, a Hugging Face export) run with ONNX Runtime on masked
 * batches: its logits at the masked positions.
 */
public final class OnnxMaskedLm implements AutoCloseable {
    private final Path onnx;
    private final String logitsOutput;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession.SessionOptions options;
    private final OrtSession session;
    private int vocab;

    /** @throws IllegalArgumentException when the file cannot be loaded */
    public OnnxMaskedLm(Path onnx, String logitsOutput) {
        this.onnx = onnx;
        this.logitsOutput = logitsOutput;
        try {
            options = new OrtSession.SessionOptions();
            session = env.createSession(onnx.toString(), options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot load " + onnx + ": " + e.getMessage(), e);
        }
    }

    /** The vocabulary size seen in the last answer. */
    public int vocab() {
        return vocab;
    }

    /**
     * Logits {@code [N, vocab]} at the batch's masked positions, row-major.
     *
     * @throws IllegalArgumentException when the graph wants other inputs or its output is not
     *                                  {@code [batch, sequence, vocab]}
     */
    public float[] logitsAt(MaskedBatch b) {
        TokenIds t = b.inputs();
        long[] shape = {t.batch(), t.length()};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            Map<String, long[]> all = Map.of("input_ids", t.inputIds(), "attention_mask", t.attentionMask(),
                    "token_type_ids", t.tokenTypeIds());
            for (String name : session.getInputNames()) {
                long[] values = all.get(name);
                if (values == null) {
                    throw new IllegalArgumentException(onnx + " wants input '" + name + "'; masked-LM batches have "
                            + all.keySet());
                }
                feeds.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape));
            }
            try (OrtSession.Result result = session.run(feeds, Set.of(logitsOutput))) {
                OnnxTensor out = (OnnxTensor) result.get(logitsOutput).orElseThrow();
                long[] dims = out.getInfo().getShape();
                if (dims.length != 3 || dims[0] != t.batch() || dims[1] != t.length()) {
                    throw new IllegalArgumentException(onnx + ": expected '" + logitsOutput + "' of shape ["
                            + t.batch() + ", " + t.length() + ", vocab], got " + Arrays.toString(dims));
                }
                vocab = (int) dims[2];
                FloatBuffer buffer = out.getFloatBuffer();
                float[] rows = new float[b.predicted() * vocab];
                for (int n = 0; n < b.predicted(); n++) {
                    buffer.position((int) (b.flat()[n] * vocab));
                    buffer.get(rows, n * vocab, vocab);
                }
                return rows;
            }
        } catch (OrtException e) {
            throw new IllegalArgumentException("cannot run " + onnx + ": " + e.getMessage(), e);
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
            options.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }
}
