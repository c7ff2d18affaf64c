package org.distillery.student.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A scalar that autograd keeps for the backward pass survives garbage collections and reuse of freed memory between
 * forward and backward (see {@link Scalars}).
 */
@Timeout(120)
class ScalarsTest {
    /** Frees what the garbage collector may free, then fills freshly allocated small direct buffers with 1e30. */
    static void churn() {
        List<ByteBuffer> keep = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 20_000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                b.putFloat(0, 1e30f);
                keep.add(b);
            }
        }
        keep.clear();
    }

    /** The gradient of sum(op(x, 3)) for x = (1, 2, 3), with garbage collections between forward and backward. */
    static float[] gradient(BiFunction<NDArray, Double, NDArray> op) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray x = manager.create(new float[]{1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray y = op.apply(x, 3.0).sum();
                churn();
                collector.backward(y);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void productAndQuotientKeepTheirScalarThroughBackward() {
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[]{3, 3, 3}, gradient(Scalars::mul), "d(3x)/dx, attempt " + i);
            assertArrayEquals(new float[]{1 / 3f, 1 / 3f, 1 / 3f}, gradient(Scalars::div), 1e-7f,
                    "d(x/3)/dx, attempt " + i);
        }
    }
}
