package org.distillery.student;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.Students;

/** Students for tests whose weights look trained: every parameter moved by normal noise. */
public final class TestStudents {
    private TestStudents() {
    }

    /** A new student of {@code config} (seeded), every parameter plus normal(0, {@code scale}) noise. */
    public static AbstractBlock perturbed(StudentConfig config, NDManager manager, int seed, float scale) {
        Engine.getInstance().setRandomSeed(seed);
        AbstractBlock student = Students.create(config, manager);
        // Non-trivial LayerNorm scales and biases, as training would leave them.
        student.getParameters().forEach(p -> {
            NDArray view = p.getValue().getArray().stopGradient();
            view.addi(manager.randomNormal(0, scale, view.getShape(), view.getDataType()));
            view.close();
        });
        return student;
    }
}
