package org.distillery.student.cache;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.ParameterList;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.CombineMode;
import org.distillery.student.TinyCorpus;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.data.Dataset;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.model.StudentKind;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.data.Example;
import org.distillery.common.text.TokenIds;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training through the teacher-output cache against a real teacher server: the first epoch fills it, later epochs
 * and later runs read it and send no request, and the final weights are bit-identical to a run without the cache —
 * also for an ensemble asked for one sampled member per step.
 */
@Timeout(300)
class CachedTrainingTest {
    private static final int BATCH = 16;
    private static final Dataset TRAIN = TinyCorpus.make(80, 1);
    private static final Dataset VALIDATION = TinyCorpus.make(32, 2);
    private static final StudentConfig STUDENT = new StudentConfig(StudentKind.BERT, 100, 16, 1, 2, 32, 32, 2,
            0.1f);
    /** 3 epochs of 5 batches of 16, seed 5. */
    private static final OptimizerOptions OPTIMIZER = new OptimizerOptions(3, 0, BATCH, 3e-3f, 0.01f, 0.1f, 1f, 5);
    private static final ObjectiveOptions OBJECTIVE = ObjectiveOptions.DEFAULTS.withLabelWeights(0.5f, 0.5f)
            .withTemperature(2f).withWindow(0f, 1f);

    @TempDir
    Path dir;
    private TeacherServer server;
    private PaddedTokenizer tokenizer;

    @BeforeEach
    void start() throws Exception {
        BertGraphConfig shape = new BertGraphConfig(100, 32, 2, 2, 64, 64, 2, 2, 1e-12f);
        ModelRegistry.Builder registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(BATCH, 1000, 64));
        for (int i = 0; i < 3; i++) {
            registry.addModel("m" + i, TestTeachers.bert(dir.resolve("m" + i + ".onnx"), shape, 3 + i), null, null,
                    null);
        }
        registry.addEnsemble("three", List.of("m0", "m1", "m2"), CombineMode.MEAN_LOGITS);
        server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                registry.build(), ServerLimits.defaults()).start();
        tokenizer = PaddedTokenizer.load(TestTokenizers.write(dir.resolve("tokenizer.json")), 32, null);
    }

    @AfterEach
    void stop() throws Exception {
        tokenizer.close();
        server.shutdown(1);
    }

    /** A finished run: its epoch figures and final weights. */
    private record Run(List<Map<String, Double>> epochs, float[][] weights) {
        List<Double> perEpoch(String key) {
            return epochs.stream().map(m -> m.get(key)).toList();
        }

        double sum(String key) {
            return perEpoch(key).stream().mapToDouble(Double::doubleValue).sum();
        }
    }

    private Run train(String model, int sample, Path cache) throws Exception {
        TeacherOptions options = TeacherOptions.of("127.0.0.1:" + server.port(), model).withPrefetch(3)
                .withSampling(sample).withCache(cache);
        try (TeacherConnection connection = TeacherConnection.open(options);
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult r = Trainer.builder(STUDENT, OPTIMIZER, OBJECTIVE, tokenizer).teacher(connection, options)
                    .build().train(TRAIN, VALIDATION, manager);
            ParameterList params = r.student().getParameters();
            float[][] values = new float[params.size()][];
            for (int i = 0; i < values.length; i++) {
                values[i] = params.valueAt(i).getArray().toFloatArray();
            }
            return new Run(r.epochMetrics(), values);
        }
    }

    /** Examples with distinct token ids: the corpus repeats some texts, and a repeat is a cache hit. */
    private int distinctExamples() {
        Set<String> seen = new HashSet<>();
        for (Example e : TRAIN.examples()) {
            TokenIds ids = tokenizer.encode(List.of(e.text()), Collections.singletonList(e.pair()));
            seen.add(Arrays.toString(ids.inputIds()) + Arrays.toString(ids.tokenTypeIds()));
        }
        return seen.size();
    }

    @Test
    void laterEpochsAndLaterRunsReadTheCacheAndEndWithTheSameWeights() throws Exception {
        int distinct = distinctExamples();
        assertTrue(distinct > 10 && distinct < 80, "the corpus has repeats: " + distinct);
        Run live = train("m0", 0, null);
        assertEquals(List.of(5.0, 5.0, 5.0), live.perEpoch("teacher_requests"));
        assertEquals(List.of(0.0, 0.0, 0.0), live.perEpoch("teacher_cache_hits"));

        Path cache = dir.resolve("cache");
        Run filling = train("m0", 0, cache);
        assertEquals(List.of(5.0, 0.0, 0.0), filling.perEpoch("teacher_requests"), "epoch 1 fills the cache");
        double firstEpochHits = filling.perEpoch("teacher_cache_hits").get(0);
        assertTrue(firstEpochHits <= 80 - distinct, "only repeats can hit in epoch 1: " + firstEpochHits);
        assertEquals(List.of(80.0, 80.0), filling.perEpoch("teacher_cache_hits").subList(1, 3));
        assertArrayEquals(live.weights(), filling.weights(), "cached answers are the live answers, bit for bit");

        Run warm = train("m0", 0, cache);
        assertEquals(List.of(0.0, 0.0, 0.0), warm.perEpoch("teacher_requests"), "a later run asks nothing");
        assertEquals(List.of(80.0, 80.0, 80.0), warm.perEpoch("teacher_cache_hits"));
        assertArrayEquals(live.weights(), warm.weights());
        assertEquals(live.perEpoch("accuracy"), warm.perEpoch("accuracy"));

        try (TeacherCache c = TeacherCache.open(cache)) {
            CacheStats stats = c.stats();
            assertEquals(distinct, stats.entries(), "one entry per distinct example: " + stats);
            assertEquals(1, stats.versions().size());
        }
    }

    @Test
    void anEnsembleSampledPerStepIsCachedPerMemberAndGivesWhatTheLiveRunGot() throws Exception {
        int distinct = distinctExamples();
        Run live = train("three", 1, null);
        Path cache = dir.resolve("cache");
        Run filling = train("three", 1, cache);
        assertArrayEquals(live.weights(), filling.weights(), "the sampled member's answer, from the cache or not");
        double hits = filling.sum("teacher_cache_hits");
        assertTrue(hits > 0 && hits < 200, "later epochs hit where the same member was drawn: " + hits);

        Run warm = train("three", 1, cache);
        assertEquals(List.of(0.0, 0.0, 0.0), warm.perEpoch("teacher_requests"));
        assertEquals(240.0, warm.sum("teacher_cache_hits"));
        assertArrayEquals(live.weights(), warm.weights());
        try (TeacherCache c = TeacherCache.open(cache)) {
            long entries = c.stats().entries();
            assertTrue(entries > distinct && entries <= 3L * distinct, "per example and drawn member: " + entries);
        }

        // All members (no sampling) is another member set: other keys, so nothing is read from the sampled entries.
        Run all = train("three", 0, cache);
        assertEquals(5.0, all.perEpoch("teacher_requests").get(0));
        assertEquals(List.of(0.0, 0.0), all.perEpoch("teacher_requests").subList(1, 3));
    }
}
