package org.distillery.student.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.distillery.common.text.TokenIds;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Runs an exported classifier (inputs named as a tokenizer makes them, an output {@code logits}) on token ids. */
public final class OnnxLogits {
    private OnnxLogits() {
    }

    /** Row-major {@code [batch, labels]} logits of {@code session} for {@code ids}. */
    public static float[] run(OrtSession session, OrtEnvironment env, TokenIds ids) throws OrtException {
        long[] shape = {ids.batch(), ids.length()};
        Map<String, OnnxTensor> feeds = new HashMap<>();
        try {
            Map<String, long[]> all = Map.of("input_ids", ids.inputIds(), "attention_mask", ids.attentionMask(),
                    "token_type_ids", ids.tokenTypeIds());
            for (String name : session.getInputNames()) {
                long[] values = all.get(name);
                if (values == null) {
                    throw new IllegalArgumentException("the model wants input '" + name + "', which a tokenizer "
                            + "does not make; inputs it can have: " + all.keySet());
                }
                feeds.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(values), shape));
            }
            try (OrtSession.Result result = session.run(feeds, Set.of("logits"))) {
                FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] out = new float[b.remaining()];
                b.get(out);
                return out;
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }
}
