package org.distillery.teacher.server;

import org.distillery.proto.v1.CombineMode;
import org.distillery.teacher.runtime.TensorSpec;

import java.util.List;
import java.util.Map;

/** What a request names: a single served model or an ensemble of them. */
public interface Endpoint {
    String name();

    /** The models that can run for a request: the model itself, or the ensemble's members. */
    List<ServedModel> members();

    boolean isEnsemble();

    /** Inputs a request must supply (of the first member, for an ensemble; members agree). */
    Map<String, TensorSpec> inputs();

    /** Outputs a request may ask for. */
    Map<String, TensorSpec> outputs();

    /** The output holding logits: {@code logits} when the graph has one, else the first output. */
    String logitsOutput();

    /** Size of the logits' last axis when fixed, else 0. */
    int labelCount();

    /** True when every member has a tokenizer. */
    boolean acceptsTexts();

    /** The combine mode a request gets when it names none (MEAN_LOGITS for a single model). */
    CombineMode defaultCombine();

    /** What decides the outputs, as a fingerprint ({@link ModelVersion}). */
    String version();
}
