package org.distillery.student.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.AbstractBlock;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A student's parameters under stable names: DJL's child-order prefixes dropped ({@code 03layer0_01query_weight}
 * becomes {@code layer0_query_weight}), and for the BERT-style student, the Hugging Face BERT names
 * ({@code encoder.layer.0.attention.self.query.weight}) that ONNX export and teacher initialisation use.
 */
public final class StudentParameters {
    private static final Pattern ORDER_PREFIX = Pattern.compile("(^|_)\\d{2}(?=[a-z])");
    private static final Pattern LAYER = Pattern.compile("layer(\\d+)_(.+)");

    private StudentParameters() {
    }

    /** Parameters by DJL name without order prefixes. */
    public static Map<String, NDArray> byName(AbstractBlock student) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        student.getParameters().forEach(p -> out.put(ORDER_PREFIX.matcher(p.getKey()).replaceAll("$1"),
                p.getValue().getArray()));
        return out;
    }

    /** Parameters by Hugging Face name (BERT-style student) or by plain name (fastText student). */
    public static Map<String, NDArray> byHfName(AbstractBlock student) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        byName(student).forEach((name, array) -> out.put(hfName(name), array));
        return out;
    }

    /** The Hugging Face BERT name of a plain parameter name. */
    public static String hfName(String name) {
        switch (name) {
            case "word_embeddings":
            case "position_embeddings":
            case "token_type_embeddings":
                return "embeddings." + name + ".weight";
            case "embedding_norm_gamma":
                return "embeddings.LayerNorm.weight";
            case "embedding_norm_beta":
                return "embeddings.LayerNorm.bias";
            default:
                break;
        }
        Matcher layer = LAYER.matcher(name);
        if (layer.matches()) {
            return "encoder.layer." + layer.group(1) + "." + layerPart(layer.group(2));
        }
        if (name.startsWith("pooler_")) {
            return "pooler.dense." + name.substring("pooler_".length());
        }
        switch (name) {
            case "mlm_transform_weight":
                return "cls.predictions.transform.dense.weight";
            case "mlm_transform_bias":
                return "cls.predictions.transform.dense.bias";
            case "mlm_norm_gamma":
                return "cls.predictions.transform.LayerNorm.weight";
            case "mlm_norm_beta":
                return "cls.predictions.transform.LayerNorm.bias";
            case "mlm_bias":
                return "cls.predictions.bias";
            default:
                break;
        }
        if (name.startsWith("classifier_")) {
            return "classifier." + name.substring("classifier_".length());
        }
        return name;
    }

    private static String layerPart(String rest) {
        String[][] table = {
                {"query_", "attention.self.query."}, {"key_", "attention.self.key."},
                {"value_", "attention.self.value."}, {"attention_output_", "attention.output.dense."},
                {"attention_norm_gamma", "attention.output.LayerNorm.weight"},
                {"attention_norm_beta", "attention.output.LayerNorm.bias"},
                {"intermediate_", "intermediate.dense."}, {"output_norm_gamma", "output.LayerNorm.weight"},
                {"output_norm_beta", "output.LayerNorm.bias"}, {"output_", "output.dense."}};
        for (String[] row : table) {
            if (rest.startsWith(row[0])) {
                return row[1] + rest.substring(row[0].length());
            }
        }
        return rest;
    }
}
