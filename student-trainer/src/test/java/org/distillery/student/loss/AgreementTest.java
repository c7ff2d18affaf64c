package org.distillery.student.loss;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Argmax agreement between student and teacher logits, against rows worked out by hand. */
class AgreementTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private float agreement(float[][] student, float[][] teacher) {
        return Agreement.argmax(manager.create(student), manager.create(teacher)).getFloat();
    }

    @Test
    void countsRowsWhoseTopClassIsTheSame() {
        // Student argmax per row: 1, 2, 0, 0, 1. Teacher: 1, 0, 0, 2, 1. Rows 0, 2 and 4 agree: 3 of 5.
        float[][] student = {{1, 3, 2}, {0, -1, 5}, {2, 1, 0}, {0.5f, 0.4f, 0.3f}, {-3, -1, -2}};
        float[][] teacher = {{0, 9, 1}, {5, 0, 1}, {3, 2, 1}, {0, 0, 1}, {0, 0.1f, -5}};
        assertEquals(0.6f, agreement(student, teacher), 1e-7);
    }

    @Test
    void scaleAndShiftDoNotChangeTheTopClass() {
        float[][] teacher = {{0.1f, 0.7f, 0.2f}, {2, -1, 0}};
        float[][] sameOrder = {{-10, 30, 0}, {100, 99, 99.5f}};
        assertEquals(1f, agreement(sameOrder, teacher));
        float[][] allOther = {{1, 0, 0}, {0, 1, 0}};
        assertEquals(0f, agreement(allOther, teacher));
    }

    @Test
    void aTieGoesToTheFirstLargestColumn() {
        assertEquals(1f, agreement(new float[][]{{2, 2, 1}}, new float[][]{{3, 1, 1}}));
        assertEquals(0f, agreement(new float[][]{{2, 2, 1}}, new float[][]{{1, 3, 1}}));
    }

    @Test
    void shapesMustMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> agreement(new float[][]{{1, 2}}, new float[][]{{1, 2, 3}}));
        assertEquals(true, e.getMessage().contains("differ in shape"), e.getMessage());
    }
}
