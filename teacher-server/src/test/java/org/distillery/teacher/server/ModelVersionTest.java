package org.distillery.teacher.server;

import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.ListModelsRequest;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ModelInfo.version}: the same files give the same version under any name; anything that decides the outputs
 * changes it.
 */
@Timeout(120)
class ModelVersionTest {
    @TempDir
    Path dir;

    @Test
    void versionsFollowWhatDecidesTheOutputs() throws Exception {
        Path a = TestTeachers.mlp(dir.resolve("a.onnx"), 6, 8, 4, 1);
        Path aCopy = Files.copy(a, dir.resolve("a-copy.onnx"));
        Path b = TestTeachers.mlp(dir.resolve("b.onnx"), 6, 8, 4, 2);
        Path bert = TestTeachers.tinyBert(dir.resolve("bert.onnx"), 3);
        Path tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
        Map<String, String> v = new HashMap<>();
        try (ServerFixture f = ServerFixture.builder().model("a", a).model("a2", aCopy).model("b", b)
                .model("bert16", bert, tokenizer, 16).model("bert8", bert, tokenizer, 8)
                .ensemble("ab", CombineMode.MEAN_LOGITS, "a", "b").ensemble("ba", CombineMode.MEAN_LOGITS, "b", "a")
                .ensemble("ab-probs", CombineMode.MEAN_PROBS, "a", "b").ensemble("a2b", CombineMode.MEAN_LOGITS, "a2", "b")
                .start()) {
            for (ModelInfo info : f.blocking().listModels(ListModelsRequest.getDefaultInstance()).getModelsList()) {
                assertTrue(info.getVersion().matches("[0-9a-f]{32}"), info.getName() + ": " + info.getVersion());
                v.put(info.getName(), info.getVersion());
            }
            assertEquals(v.get("ab"), f.blocking().getModelInfo(ModelInfoRequest.newBuilder().setModel("ab").build())
                    .getVersion());
        }
        assertEquals(v.get("a"), v.get("a2"), "the same bytes under another name");
        assertNotEquals(v.get("a"), v.get("b"), "other weights");
        assertNotEquals(v.get("bert16"), v.get("bert8"), "another truncation length");
        assertEquals(v.get("ab"), v.get("a2b"), "members with equal versions");
        assertNotEquals(v.get("ab"), v.get("ba"), "member order decides sampling");
        assertNotEquals(v.get("ab"), v.get("ab-probs"), "another combine mode");
        assertEquals(9, v.size());
        for (String name : List.of("a", "b", "bert16")) {
            assertNotEquals(v.get(name), v.get("ab"));
        }

        // A restarted server with the same files reports the same versions; a changed tokenizer changes them.
        Files.writeString(tokenizer, Files.readString(tokenizer) + "\n"); // other bytes, the same vocabulary
        try (ServerFixture f = ServerFixture.builder().model("a", a).model("bert16", bert, tokenizer, 16).start()) {
            assertEquals(v.get("a"), info(f, "a").getVersion());
            assertNotEquals(v.get("bert16"), info(f, "bert16").getVersion());
        }
    }

    private static ModelInfo info(ServerFixture f, String model) {
        return f.blocking().getModelInfo(ModelInfoRequest.newBuilder().setModel(model).build());
    }
}
