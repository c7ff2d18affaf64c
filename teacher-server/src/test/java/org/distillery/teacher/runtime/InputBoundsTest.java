package org.distillery.teacher.runtime;

import org.distillery.common.testing.TestTeachers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Input bounds read from real graphs: the project's own BERT writer and the Hugging Face graphs exported by torch
 * (vocabulary 100, 2 token types, 64 positions; RoBERTa's table has 66 rows, 2 of them taken by its padding offset).
 */
class InputBoundsTest {
    private static final Set<String> INPUTS = Set.of("input_ids", "attention_mask", "token_type_ids");
    @TempDir
    Path dir;

    private static Path fixture(String name) throws URISyntaxException {
        return Path.of(InputBoundsTest.class.getResource("/hf/" + name + ".onnx").toURI());
    }

    @Test
    void ownBertGraph() throws Exception {
        InputBounds bounds = InputBounds.read(TestTeachers.tinyBert(dir.resolve("t.onnx"), 1), INPUTS);
        assertEquals(new InputBounds.Table("embeddings.word_embeddings.weight", 100), bounds.tables().get("input_ids"));
        assertEquals(2, bounds.tables().get("token_type_ids").rows());
        assertNull(bounds.tables().get("attention_mask"), "the mask indexes no table");
        assertEquals(64, bounds.maxSequence());
        assertEquals(16, bounds.limitSequence(16).maxSequence(), "max_length tightens the limit");
        assertEquals(64, bounds.limitSequence(128).maxSequence(), "a looser max_length does not widen it");
    }

    @ParameterizedTest
    @CsvSource({"bert, 100, 2, 64", "distilbert, 100, 0, 64", "roberta, 100, 0, 64"})
    void huggingFaceGraphs(String name, long vocab, long types, long positions) throws Exception {
        InputBounds bounds = InputBounds.read(fixture(name), INPUTS);
        assertEquals(vocab, bounds.tables().get("input_ids").rows(), bounds.toString());
        assertEquals(types, bounds.tables().containsKey("token_type_ids")
                ? bounds.tables().get("token_type_ids").rows() : 0, bounds.toString());
        assertEquals(positions, bounds.maxSequence(), bounds.toString());
    }

    @Test
    void aGraphWithoutTablesHasNoBounds() throws Exception {
        InputBounds bounds = InputBounds.read(TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1), Set.of("features"));
        assertEquals(InputBounds.NONE, bounds);
    }
}
