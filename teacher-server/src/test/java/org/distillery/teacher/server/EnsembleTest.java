package org.distillery.teacher.server;

import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.EnsembleOptions;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.MemberOutputs;
import org.distillery.proto.v1.ModelInfo;
import org.distillery.proto.v1.ModelInfoRequest;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.teacher.ensemble.EnsembleCombiner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ensembles: means equal the hand average, ALL returns each member, sampling runs only k members. */
@Timeout(120)
class EnsembleTest {
    @TempDir
    static Path dir;
    private static ServerFixture fixture;
    private static final List<Path> FILES = new ArrayList<>();
    private static final String[] MEMBERS = {"t0", "t1", "t2", "t3"};

    @BeforeAll
    static void start() throws Exception {
        ServerFixture.Builder b = ServerFixture.builder();
        for (int i = 0; i < MEMBERS.length; i++) {
            Path file = TestTeachers.mlp(dir.resolve(MEMBERS[i] + ".onnx"), 6, 8, 4, 40 + i);
            FILES.add(file);
            b.model(MEMBERS[i], file);
        }
        fixture = b.ensemble("avg", CombineMode.MEAN_LOGITS, MEMBERS)
                .ensemble("probs", CombineMode.MEAN_PROBS, MEMBERS).start();
    }

    @AfterAll
    static void stop() throws Exception {
        fixture.close();
    }

    private static List<Map<String, float[]>> references(float[] x, int batch) throws Exception {
        List<Map<String, float[]>> refs = new ArrayList<>();
        for (Path f : FILES) {
            refs.add(Requests.reference(f, Map.of("features", new Object[]{x, new long[]{batch, 6}})));
        }
        return refs;
    }

    @Test
    void meanLogitsIsTheAverageOfMembers() throws Exception {
        float[] x = Requests.randomFloats(1, 2 * 6);
        List<Map<String, float[]>> refs = references(x, 2);
        InferResponse r = fixture.blocking().infer(Requests.mlp("avg", x, 2, 6));
        assertEquals(List.of(MEMBERS), r.getMembersUsedList());
        for (String output : List.of("logits", "hidden")) {
            float[] mean = new float[refs.get(0).get(output).length];
            for (Map<String, float[]> ref : refs) {
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += ref.get(output)[i] / 4f;
                }
            }
            Requests.assertClose(mean, InferenceParityTest.decode(r, output), 1e-5, output);
        }
    }

    @Test
    void meanProbsAveragesTemperedSoftmax() throws Exception {
        float[] x = Requests.randomFloats(2, 6);
        List<Map<String, float[]>> refs = references(x, 1);
        InferResponse r = fixture.blocking().infer(Requests.mlp("probs", x, 1, 6).toBuilder().addOutputs("logits")
                .setEnsemble(EnsembleOptions.newBuilder().setTemperature(2f)).build());
        float[] mean = new float[4];
        for (Map<String, float[]> ref : refs) {
            float[] logits = ref.get("logits");
            double max = Double.NEGATIVE_INFINITY;
            for (float v : logits) {
                max = Math.max(max, v / 2.0);
            }
            double sum = 0;
            for (float v : logits) {
                sum += Math.exp(v / 2.0 - max);
            }
            for (int i = 0; i < 4; i++) {
                mean[i] += (float) (Math.exp(logits[i] / 2.0 - max) / sum / 4);
            }
        }
        // MEAN_PROBS answers logits whose softmax is the mean probability: the log of the mean.
        float[] got = InferenceParityTest.decode(r, "logits");
        float[] logMean = new float[mean.length];
        for (int i = 0; i < mean.length; i++) {
            logMean[i] = (float) Math.log(mean[i]);
        }
        Requests.assertClose(logMean, got, 1e-5, "log of the mean probs");
        float total = 0;
        for (float p : got) {
            total += (float) Math.exp(p);
        }
        assertEquals(1f, total, 1e-5f);
        // The request may override the ensemble's default mode.
        InferResponse asLogits = fixture.blocking().infer(Requests.mlp("probs", x, 1, 6).toBuilder()
                .addOutputs("logits").setEnsemble(EnsembleOptions.newBuilder().setCombine(CombineMode.MEAN_LOGITS))
                .build());
        assertNotEquals(1f, sum(InferenceParityTest.decode(asLogits, "logits")), 1e-3f);
    }

    private static float sum(float[] values) {
        float s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    @Test
    void combineAllReturnsEachMember() throws Exception {
        float[] x = Requests.randomFloats(3, 6);
        List<Map<String, float[]>> refs = references(x, 1);
        InferResponse r = fixture.blocking().infer(Requests.mlp("avg", x, 1, 6).toBuilder().addOutputs("logits")
                .setEnsemble(EnsembleOptions.newBuilder().setCombine(CombineMode.ALL)).build());
        assertEquals(0, r.getOutputsCount());
        assertEquals(4, r.getMemberOutputsCount());
        for (int i = 0; i < 4; i++) {
            MemberOutputs m = r.getMemberOutputs(i);
            assertEquals(MEMBERS[i], m.getMember());
            Requests.assertClose(refs.get(i).get("logits"),
                    TensorCodec.decodeFloats("logits", m.getOutputsMap().get("logits")), 1e-6, m.getMember());
        }
    }

    @Test
    void samplingRunsOnlyKMembersChosenBySeed() throws Exception {
        float[] x = Requests.randomFloats(4, 6);
        List<Map<String, float[]>> refs = references(x, 1);
        Map<String, Long> before = runs();
        InferRequest request = Requests.mlp("avg", x, 1, 6).toBuilder().addOutputs("logits")
                .setEnsemble(EnsembleOptions.newBuilder().setSampleMembers(2).setSeed(12345)).build();
        InferResponse r = fixture.blocking().infer(request);
        List<String> used = r.getMembersUsedList();
        assertEquals(2, used.size());
        Map<String, Long> after = runs();
        for (String m : MEMBERS) {
            assertEquals(before.get(m) + (used.contains(m) ? 1 : 0), after.get(m), "runs of " + m);
        }
        float[] mean = new float[4];
        for (String m : used) {
            float[] logits = refs.get(List.of(MEMBERS).indexOf(m)).get("logits");
            for (int i = 0; i < 4; i++) {
                mean[i] += logits[i] / 2f;
            }
        }
        Requests.assertClose(mean, InferenceParityTest.decode(r, "logits"), 1e-5, "mean of sampled");
        assertEquals(used, fixture.blocking().infer(request).getMembersUsedList(), "same seed, same members");
        Set<List<String>> seen = new HashSet<>();
        for (long seed = 0; seed < 40; seed++) {
            seen.add(fixture.blocking().infer(request.toBuilder().setEnsemble(EnsembleOptions.newBuilder()
                    .setSampleMembers(2).setSeed(seed)).build()).getMembersUsedList());
        }
        assertTrue(seen.size() > 3, "seeds pick different members: " + seen);
    }

    private static Map<String, Long> runs() {
        Map<String, Long> runs = new HashMap<>();
        for (String m : MEMBERS) {
            runs.put(m, fixture.model(m).batcher().runs());
        }
        return runs;
    }

    @Test
    void modelInfoListsMembers() {
        ModelInfo info = fixture.blocking().getModelInfo(ModelInfoRequest.newBuilder().setModel("probs").build());
        assertTrue(info.getEnsemble());
        assertEquals(List.of(MEMBERS), info.getMembersList());
        assertEquals(CombineMode.MEAN_PROBS, info.getDefaultCombine());
        assertEquals(4, info.getLabelCount());
    }

    @Test
    void membersThatDisagreeAreRefusedAtStart() throws Exception {
        Path other = TestTeachers.mlp(dir.resolve("five.onnx"), 6, 8, 5, 1);
        Path bert = TestTeachers.tinyBert(dir.resolve("bert-e.onnx"), 1);
        ServerFixture.Builder b = ServerFixture.builder().model("four", FILES.get(0)).model("five", other)
                .model("bert", bert);
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> b.ensemble("bad", CombineMode.MEAN_LOGITS, "four", "five"));
        assertTrue(labels.getMessage().contains("'four'") && labels.getMessage().contains("'five'")
                && labels.getMessage().contains("logits"), labels.getMessage());
        IllegalArgumentException inputs = assertThrows(IllegalArgumentException.class,
                () -> b.ensemble("bad2", CombineMode.MEAN_LOGITS, "four", "bert"));
        assertTrue(inputs.getMessage().contains("disagree on inputs"), inputs.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> b.ensemble("bad3", CombineMode.MEAN_LOGITS, "four", "nope"));
        assertTrue(missing.getMessage().contains("'nope'"), missing.getMessage());
        b.start().close();
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        float[] p = EnsembleCombiner.softmax(new float[]{1000f, 1000f, -1000f}, new long[]{1, 3}, 1f);
        assertEquals(0.5f, p[0], 1e-6f);
        assertEquals(0f, p[2], 1e-6f);
    }
}
