package org.distillery.student.mlm;

import org.distillery.common.tensor.TensorCodec;
import org.distillery.common.text.TokenIds;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.Tensor;
import org.distillery.student.loss.VocabularyTarget;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Masked-LM requests and answers: a masked batch's inputs with its masked positions, asking for the teacher's
 * vocabulary distribution there (as {@link TeacherLogits} says) and optionally its hidden state.
 *
 * @param model        model or ensemble on the server
 * @param inputNames   the teacher's graph inputs
 * @param logitsOutput the teacher's vocabulary logits output ({@code logits})
 * @param hiddenOutput the hidden-state output to gather too, or null
 * @param logits       what of the distribution travels
 * @param temperature  the distribution's temperature
 * @param dtype        wire type of the values (FLOAT16 by default)
 */
public record MlmWire(String model, List<String> inputNames, String logitsOutput, String hiddenOutput,
                      TeacherLogits logits, float temperature, DataType dtype) {
    public MlmWire {
        inputNames = List.copyOf(inputNames);
    }

    /** The request for {@code batch}; {@code seed} seeds the sampled tokens. */
    public InferRequest request(MaskedBatch batch, long seed) {
        TokenIds t = batch.inputs();
        long[] shape = {t.batch(), t.length()};
        Map<String, long[]> all = Map.of("input_ids", t.inputIds(), "attention_mask", t.attentionMask(),
                "token_type_ids", t.tokenTypeIds());
        List<String> outputs = new ArrayList<>();
        outputs.add(logitsOutput);
        if (hiddenOutput != null) {
            outputs.add(hiddenOutput);
        }
        InferRequest.Builder request = InferRequest.newBuilder().setModel(model).addAllOutputs(outputs)
                .setOutputDtype(dtype)
                .setPositions(TensorCodec.encodeInts(batch.positions(), new long[]{t.batch(), batch.width()}))
                .setVocabulary(logits.selection(temperature, seed));
        for (String name : inputNames) {
            long[] values = all.get(name);
            if (values == null) {
                throw new IllegalArgumentException("the teacher wants input '" + name + "', which masked-LM batches "
                        + "do not have; they have " + all.keySet());
            }
            request.putInputs(name, TensorCodec.encodeLongs(values, shape));
        }
        return request.build();
    }

    /**
     * Reads an answer for a batch of {@code rows} masked positions.
     *
     * @throws IllegalStateException saying what was expected and what arrived
     */
    public MlmTeacherAnswer decode(InferResponse response, int rows, long requestBytes) {
        Tensor values = response.getOutputsMap().get(logitsOutput);
        if (values == null || values.getShapeCount() != 2 || values.getShape(0) != rows) {
            throw new IllegalStateException("expected output '" + logitsOutput + "' of shape [" + rows + ", K], got "
                    + (values == null ? "none" : values.getShapeList()));
        }
        int width = (int) values.getShape(1);
        float[] logProbs = TensorCodec.decodeFloats(logitsOutput, values);
        long logitsBytes = values.getData().size();
        int[] indices = null;
        float[] weights = null;
        if (logits.support() != VocabularyTarget.Support.DENSE) {
            Tensor ids = response.getTopKIndicesMap().get(logitsOutput);
            if (ids == null || ids.getShapeCount() != 2 || ids.getShape(0) != rows || ids.getShape(1) != width) {
                throw new IllegalStateException("expected token ids for '" + logitsOutput + "' of shape [" + rows
                        + ", " + width + "], got " + (ids == null ? "none" : ids.getShapeList()));
            }
            indices = TensorCodec.decodeInts(logitsOutput, ids);
            logitsBytes += ids.getData().size();
        }
        if (logits.support().weighted()) {
            Tensor w = response.getSampleWeightsMap().get(logitsOutput);
            if (w == null || w.getShapeCount() != 2 || w.getShape(0) != rows || w.getShape(1) != width) {
                throw new IllegalStateException("expected sample weights for '" + logitsOutput + "' of shape ["
                        + rows + ", " + width + "], got " + (w == null ? "none" : w.getShapeList()));
            }
            weights = TensorCodec.decodeFloats(logitsOutput, w);
            logitsBytes += w.getData().size();
        }
        float[] hidden = null;
        int hiddenWidth = 0;
        if (hiddenOutput != null) {
            Tensor h = response.getOutputsMap().get(hiddenOutput);
            if (h == null || h.getShapeCount() != 2 || h.getShape(0) != rows) {
                throw new IllegalStateException("expected output '" + hiddenOutput + "' of shape [" + rows
                        + ", hidden], got " + (h == null ? "none" : h.getShapeList()));
            }
            hidden = TensorCodec.decodeFloats(hiddenOutput, h);
            hiddenWidth = (int) h.getShape(1);
        }
        return new MlmTeacherAnswer(logits.support(), width, logProbs, indices, weights, hidden, hiddenWidth,
                requestBytes, response.getSerializedSize(), logitsBytes);
    }
}
