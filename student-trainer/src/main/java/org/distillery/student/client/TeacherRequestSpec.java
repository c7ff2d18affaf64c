package org.distillery.student.client;

import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.EnsembleOptions;
import org.distillery.proto.v1.InferRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every request of a training run asks the teacher for: the model, the inputs the teacher takes (from its
 * model info), its logits output and the feature outputs the objective reads, in a wire dtype.
 *
 * @param model        model or ensemble on the server
 * @param inputNames   the teacher's graph inputs; each must be one a tokenizer makes
 * @param logitsOutput the teacher's logits output
 * @param features     feature outputs to ask for besides the logits
 * @param wireDtype    FLOAT16, BFLOAT16 or FLOAT32
 */
public record TeacherRequestSpec(String model, List<String> inputNames, String logitsOutput, List<String> features,
                                 DataType wireDtype) {
    /** The inputs a tokenizer makes, by their Hugging Face names. */
    public static final List<String> TOKENIZER_INPUTS = List.of("input_ids", "attention_mask", "token_type_ids");

    public TeacherRequestSpec {
        inputNames = List.copyOf(inputNames);
        features = features.stream().filter(f -> !f.equals(logitsOutput)).distinct().toList();
        for (String name : inputNames) {
            if (!TOKENIZER_INPUTS.contains(name)) {
                throw new IllegalArgumentException("the teacher wants input '" + name + "', which a tokenizer does "
                        + "not make; inputs it can have: " + TOKENIZER_INPUTS);
            }
        }
    }

    /** Every output asked for: the logits first. */
    public List<String> outputs() {
        List<String> outputs = new ArrayList<>();
        outputs.add(logitsOutput);
        outputs.addAll(features);
        return outputs;
    }

    /** The request for one batch. */
    public InferRequest request(String id, TokenIds tokens, int sampleMembers, long seed) {
        long[] shape = {tokens.batch(), tokens.length()};
        InferRequest.Builder request = InferRequest.newBuilder().setModel(model).setRequestId(id)
                .addAllOutputs(outputs()).setOutputDtype(wireDtype)
                .setEnsemble(EnsembleOptions.newBuilder().setSampleMembers(sampleMembers).setSeed(seed));
        Map<String, long[]> all = Map.of("input_ids", tokens.inputIds(), "attention_mask", tokens.attentionMask(),
                "token_type_ids", tokens.tokenTypeIds());
        for (String name : inputNames) {
            request.putInputs(name, TensorCodec.encodeLongs(all.get(name), shape));
        }
        return request.build();
    }
}
