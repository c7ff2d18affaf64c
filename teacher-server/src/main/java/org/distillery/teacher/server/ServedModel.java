package org.distillery.teacher.server;

import org.distillery.proto.v1.CombineMode;
import org.distillery.teacher.batching.DynamicBatcher;
import org.distillery.teacher.runtime.InputBounds;
import org.distillery.teacher.runtime.OnnxModel;
import org.distillery.teacher.runtime.TensorSpec;
import org.distillery.teacher.tokenize.TextTokenizer;

import java.util.List;
import java.util.Map;

/** One ONNX model being served: its session, its batcher and, optionally, its tokenizer. */
public final class ServedModel implements Endpoint, AutoCloseable {
    private final OnnxModel model;
    private final DynamicBatcher batcher;
    private final TextTokenizer tokenizer;
    private final String logitsOutput;
    private final int labelCount;
    private final InputBounds bounds;
    private final String version;

    ServedModel(OnnxModel model, DynamicBatcher batcher, TextTokenizer tokenizer, InputBounds bounds, String version) {
        this.model = model;
        this.version = version;
        this.batcher = batcher;
        this.tokenizer = tokenizer;
        this.bounds = bounds;
        this.logitsOutput = model.outputs().containsKey("logits") ? "logits"
                : model.outputs().keySet().iterator().next();
        this.labelCount = labelCount(model.outputs().get(logitsOutput));
    }

    static int labelCount(TensorSpec logits) {
        if (logits.rank() < 2) {
            return 0;
        }
        long last = logits.shape()[logits.rank() - 1];
        return last > 0 && last <= Integer.MAX_VALUE ? (int) last : 0;
    }

    public OnnxModel model() {
        return model;
    }

    public DynamicBatcher batcher() {
        return batcher;
    }

    /** What the model's integer inputs may hold: embedding table sizes and the longest sequence. */
    public InputBounds bounds() {
        return bounds;
    }

    /** The tokenizer, or null when the model takes tensors only. */
    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public String name() {
        return model.name();
    }

    @Override
    public List<ServedModel> members() {
        return List.of(this);
    }

    @Override
    public boolean isEnsemble() {
        return false;
    }

    @Override
    public Map<String, TensorSpec> inputs() {
        return model.inputs();
    }

    @Override
    public Map<String, TensorSpec> outputs() {
        return model.outputs();
    }

    @Override
    public String logitsOutput() {
        return logitsOutput;
    }

    @Override
    public int labelCount() {
        return labelCount;
    }

    @Override
    public boolean acceptsTexts() {
        return tokenizer != null;
    }

    /** A plain model combines nothing: {@code COMBINE_DEFAULT}. */
    @Override
    public CombineMode defaultCombine() {
        return CombineMode.COMBINE_DEFAULT;
    }

    @Override
    public String version() {
        return version;
    }

    /** Stops the batcher (finishing queued work within the grace period), then frees the session. */
    public void close(long graceMillis) {
        if (!batcher.close(graceMillis)) {
            return; // a run is still using the session; freeing it under the run would crash in native code
        }
        try {
            model.close();
        } catch (Exception e) {
            // closing a session only frees memory; nothing to recover
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
    }

    @Override
    public void close() {
        close(5000);
    }
}
