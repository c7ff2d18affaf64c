package org.distillery.student.model;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.RandomWeights;
import org.distillery.common.testing.TestTeachers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** init-from-teacher copies the right tensors (checked by value) and refuses mismatched widths. */
class TeacherInitializerTest {
    @TempDir
    Path dir;

    @Test
    void copiesEmbeddingsEveryOtherLayerAndHead() throws Exception {
        Path teacher = TestTeachers.bert(dir.resolve("t.onnx"), new BertGraphConfig(100, 16, 4, 2, 32, 64, 2, 2,
                1e-12f), 9);
        RandomWeights weights = new RandomWeights(9, 0.2);
        StudentConfig config = new StudentConfig(StudentKind.BERT, 100, 16, 2, 2, 32, 32, 2, 0.1f);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = Students.create(config, manager);
            List<String> copied = TeacherInitializer.apply(student, config, teacher);
            var params = StudentParameters.byHfName(student);
            assertTrue(copied.size() == params.size(), "all copied: " + copied);
            assertArrayEquals(weights.get("encoder.layer.2.attention.self.query.weight", new long[]{16, 16}),
                    params.get("encoder.layer.1.attention.self.query.weight").toFloatArray());
            assertArrayEquals(weights.get("encoder.layer.0.output.dense.bias", new long[]{16}),
                    params.get("encoder.layer.0.output.dense.bias").toFloatArray());
            assertArrayEquals(weights.get("embeddings.word_embeddings.weight", new long[]{100, 16}),
                    params.get("embeddings.word_embeddings.weight").toFloatArray());
            assertArrayEquals(Arrays.copyOf(weights.get("embeddings.position_embeddings.weight",
                            new long[]{64, 16}), 32 * 16),
                    params.get("embeddings.position_embeddings.weight").toFloatArray());
            assertArrayEquals(weights.get("classifier.weight", new long[]{2, 16}),
                    params.get("classifier.weight").toFloatArray());
        }
    }

    @Test
    void mismatchedWidthsAreRefusedClearly() throws Exception {
        Path teacher = TestTeachers.tinyBert(dir.resolve("t.onnx"), 1); // hidden 16, 2 layers
        StudentConfig narrow = new StudentConfig(StudentKind.BERT, 100, 8, 1, 2, 32, 32, 3, 0.1f);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = Students.create(narrow, manager);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TeacherInitializer.apply(student, narrow, teacher));
            assertTrue(e.getMessage().contains("has shape [100, 16]") && e.getMessage().contains("[100, 8]")
                    && e.getMessage().contains("widths must match"), e.getMessage());
            StudentConfig deep = new StudentConfig(StudentKind.BERT, 100, 16, 3, 2, 32, 32, 3, 0.1f);
            AbstractBlock tooDeep = Students.create(deep, manager);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> TeacherInitializer.apply(tooDeep, deep,
                    teacher)).getMessage().contains("has 2 encoder layers"));
        }
    }
}
