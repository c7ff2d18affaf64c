package org.distillery.teacher.server;

import org.distillery.common.errors.ServingException;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.teacher.runtime.ElementType;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.TensorSpec;
import org.distillery.teacher.vocabulary.SelectedVocabulary;
import org.distillery.teacher.vocabulary.VocabularyOptions;
import org.distillery.teacher.vocabulary.VocabularySelector;

import java.util.List;

/**
 * A request's {@code vocabulary}: checked against the request and the endpoint before anything runs, then applied to
 * the logits output once members are combined (and positions gathered).
 *
 * <p>For MEAN_PROBS the combined logits are the log of the members' mean tempered probability, whose log softmax is
 * that mixture again: at vocabulary temperature 1 the answer is the log of the ensemble's mean distribution. A
 * vocabulary temperature other than 1 then tempers the mixture; members are tempered by the ensemble's own
 * temperature.
 */
final class RequestVocabulary {
    private RequestVocabulary() {
    }

    /**
     * Checks a vocabulary selection against the request and the model's logits output.
     *
     * @param outputs the requested outputs
     * @param mode    the combine mode the request gets
     * @throws ServingException INVALID_ARGUMENT naming the field, what was expected and what arrived
     */
    static VocabularyOptions check(Endpoint endpoint, InferRequest request, List<String> outputs, CombineMode mode) {
        if (request.getTopK() > 0) {
            throw ServingException.invalidArgument("vocabulary and top_k exclude each other: vocabulary TOP_K "
                    + "replaces top_k on the logits output; got top_k " + request.getTopK() + " with vocabulary "
                    + request.getVocabulary().getMode());
        }
        VocabularyOptions options = VocabularyOptions.of(request.getVocabulary());
        if (mode == CombineMode.ALL) {
            throw ServingException.invalidArgument("vocabulary is not supported with combine mode ALL (each member's "
                    + "raw outputs); use MEAN_LOGITS or MEAN_PROBS for one distribution of '" + endpoint.name() + "'");
        }
        String logits = endpoint.logitsOutput();
        TensorSpec spec = endpoint.outputs().get(logits);
        if (!outputs.contains(logits)) {
            throw ServingException.invalidArgument("vocabulary applies to the logits output '" + logits + "' of model '"
                    + endpoint.name() + "', which the request does not ask for (outputs " + outputs + "); add it, or "
                    + "name no outputs");
        }
        if (spec.type() != ElementType.FLOAT) {
            throw ServingException.invalidArgument("vocabulary applies to float logits; output '" + logits
                    + "' of model '" + endpoint.name() + "' is " + spec.type());
        }
        if (spec.rank() == 0) {
            throw ServingException.invalidArgument("vocabulary on output '" + logits + "': it is a scalar, expected "
                    + "a last axis to take the softmax over");
        }
        return options;
    }

    /**
     * Puts the selection of the logits into a response: values in {@code outputs}, ids in {@code top_k_indices},
     * SAMPLE's weights in {@code sample_weights}.
     */
    static void encode(String name, HostTensor logits, VocabularyOptions options, DataType dtype,
                       InferResponse.Builder response) {
        SelectedVocabulary selected = VocabularySelector.select(name, logits.floats(), logits.shape(), options);
        response.putOutputs(name, TensorCodec.encodeFloats(selected.values(), selected.shape(), dtype));
        if (selected.indices() != null) {
            response.putTopKIndices(name, TensorCodec.encodeInts(selected.indices(), selected.shape()));
        }
        if (selected.weights() != null) {
            // 16-bit answers get FLOAT16 weights, not bf16: count / k is exact in fp16 when k is a power of two up
            // to 2048 and otherwise within half an fp16 ulp (2^-11 relative); bf16's 8 bits would lose far more.
            DataType weightType = dtype == DataType.FLOAT32 ? DataType.FLOAT32 : DataType.FLOAT16;
            response.putSampleWeights(name, TensorCodec.encodeFloats(selected.weights(), selected.shape(),
                    weightType));
        }
    }
}
