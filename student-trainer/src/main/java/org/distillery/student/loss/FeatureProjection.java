package org.distillery.student.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.Pair;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learned linear map from the student's feature width to a teacher's, trained with the student; the identity when
 * the widths agree (then it has no parameters).
 */
final class FeatureProjection {
    private final int targetWidth;
    private Linear linear;

    FeatureProjection(int targetWidth) {
        if (targetWidth < 1) {
            throw new IllegalArgumentException("a projection needs a target width >= 1, got " + targetWidth);
        }
        this.targetWidth = targetWidth;
    }

    void initialize(NDManager manager, int studentWidth) {
        if (studentWidth == targetWidth) {
            return;
        }
        linear = Linear.builder().setUnits(targetWidth).build();
        linear.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        linear.initialize(manager, DataType.FLOAT32, new Shape(1, studentWidth));
    }

    NDArray apply(NDArray features, ParameterStore store, boolean training) {
        return linear == null ? features : linear.forward(store, new NDList(features), training).head();
    }

    Map<String, NDArray> parameters() {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        if (linear != null) {
            for (Pair<String, Parameter> p : linear.getParameters()) {
                parameters.put("projection_" + p.getKey(), p.getValue().getArray());
            }
        }
        return parameters;
    }
}
