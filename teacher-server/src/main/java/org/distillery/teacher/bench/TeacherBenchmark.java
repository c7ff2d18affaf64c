package org.distillery.teacher.bench;

import com.google.gson.GsonBuilder;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import org.distillery.common.onnx.BertGraphBuilder;
import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.onnx.OnnxGraphWriter;
import org.distillery.common.onnx.RandomWeights;
import org.distillery.common.tensor.TensorCodec;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.batching.DynamicBatcher;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.HostTensor;
import org.distillery.teacher.runtime.OnnxModel;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code teacher-server bench}: a BERT-mini-sized teacher measured side by side in one run — in-process ONNX
 * Runtime, unary Infer, InferStream with a window, and many single-example clients with batching on and off.
 * Prints a table with ratios and writes JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measures the served teacher against in-process ONNX Runtime; prints a table of ratios.")
public final class TeacherBenchmark implements Callable<Integer> {
    @Option(names = "--layers", defaultValue = "4", description = "Encoder layers (default: ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = "--hidden", defaultValue = "256", description = "Hidden width (default: ${DEFAULT-VALUE}).")
    int hidden;
    @Option(names = "--seq", defaultValue = "128", description = "Tokens per example (default: ${DEFAULT-VALUE}).")
    int seq;
    @Option(names = "--batch", defaultValue = "32", description = "Examples per batch request (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--window", defaultValue = "4", description = "InferStream requests in flight (default: ${DEFAULT-VALUE}).")
    int window;
    @Option(names = "--clients", defaultValue = "64", description = "Concurrent single-example clients (default: ${DEFAULT-VALUE}).")
    int clients;
    @Option(names = "--seconds", defaultValue = "12", description = "Measured seconds per row, after warm-up (default: ${DEFAULT-VALUE}).")
    double seconds;
    @Option(names = "--rounds", defaultValue = "3", description = "Rounds the rows take turns in (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--warmup-seconds", defaultValue = "2", description = "Warm-up per row (default: ${DEFAULT-VALUE}).")
    double warmupSeconds;
    @Option(names = "--intra-op-threads", defaultValue = "0", description = "ONNX Runtime threads; 0 = its choice.")
    int intraOpThreads;
    @Option(names = "--json", defaultValue = "bench-results/teacher-bench.json", description = "Where to write JSON.")
    Path json;

    private static final String MODEL = "teacher";
    private static final String[] OUTPUTS = {"logits"};

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || window < 1 || clients < 1 || rounds < 1 || seq < 2 || seconds <= 0) {
            throw new IllegalArgumentException("--batch, --window, --clients, --rounds must be >= 1, --seq >= 2, "
                    + "--seconds > 0");
        }
        Path dir = Files.createTempDirectory("distillery-bench");
        Path modelFile = dir.resolve("bert-mini.onnx");
        BertGraphConfig config = new BertGraphConfig(30522, hidden, layers, Math.max(1, hidden / 64), hidden * 4,
                Math.max(512, seq), 2, 2, 1e-12f);
        System.out.printf("teacher: BERT-style, %d layers, hidden %d, seq %d, vocab %d; batch %d, window %d, "
                + "%d clients; %.0f s per row%n", layers, hidden, seq, config.vocabSize(), batch, window, clients,
                seconds);
        OnnxGraphWriter.write(new BertGraphBuilder(config, new RandomWeights(1, 0.02)).build("bert-mini", Map.of()),
                modelFile);
        SplittableRandom random = new SplittableRandom(7);
        SessionFactory sessions = new SessionFactory(Device.CPU, intraOpThreads);
        InferRequest batchRequest = request(random, batch);
        InferRequest single = request(random, 1);
        Map<String, HostTensor> feeds = hostBatch(random, batch);
        // The served model batches up to the batch size the in-process row runs, so both run the same shapes.
        try (OnnxModel model = OnnxModel.load(MODEL, modelFile, sessions);
             OnnxModel arena = OnnxModel.load(MODEL, modelFile, new SessionFactory(Device.CPU, intraOpThreads, true));
             Served on = new Served(modelFile, sessions, new BatchingOptions(batch, 2000, 4096));
             Served off = new Served(modelFile, sessions, new BatchingOptions(1, 0, 4096))) {
            TeacherServiceGrpc.TeacherServiceBlockingStub onStub = TeacherServiceGrpc.newBlockingStub(on.channel);
            TeacherServiceGrpc.TeacherServiceBlockingStub offStub = TeacherServiceGrpc.newBlockingStub(off.channel);
            List<Row> rows = List.of(
                    new Row("in-process ONNX Runtime, batch " + batch, batch, null,
                            (secs, lat) -> runFor(1, secs, () -> model.run(feeds, Set.of(OUTPUTS)), lat)),
                    new Row("unary Infer, batch " + batch, batch, on.batcher(),
                            (secs, lat) -> runFor(1, secs, () -> onStub.infer(batchRequest), lat)),
                    new Row("InferStream, batch " + batch + ", window " + window, batch, on.batcher(),
                            (secs, lat) -> streamFor(on.channel, batchRequest, secs, lat)),
                    new Row(clients + " clients x 1 example, batching on (max " + batch + ")", 1, on.batcher(),
                            (secs, lat) -> runFor(clients, secs, () -> onStub.infer(single), lat)),
                    new Row(clients + " clients x 1 example, batching off", 1, off.batcher(),
                            (secs, lat) -> runFor(clients, secs, () -> offStub.infer(single), lat)),
                    new Row("in-process ONNX Runtime, batch " + batch + ", CPU arena on", batch, null,
                            (secs, lat) -> runFor(1, secs, () -> arena.run(feeds, Set.of(OUTPUTS)), lat)));
            for (Row row : rows) {
                System.out.println("warming up: " + row.name);
                row.runner.run(warmupSeconds, new LatencyRecorder());
            }
            // Rows take turns, round after round, so drift in the machine's speed touches every row alike.
            for (int round = 1; round <= rounds; round++) {
                System.out.println("round " + round + " of " + rounds);
                for (Row row : rows) {
                    row.measure(seconds / rounds);
                }
            }
            List<BenchRow> results = new ArrayList<>();
            rows.forEach(r -> results.add(r.result()));
            report(results);
        } finally {
            Files.deleteIfExists(modelFile);
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    /** One configuration: how to run it, and what it has measured so far. */
    private static final class Row {
        final String name;
        final int examplesPerCall;
        final DynamicBatcher batcher;
        final Runner runner;
        final LatencyRecorder latencies = new LatencyRecorder();
        double elapsed;
        long runs;
        long examplesRun;

        Row(String name, int examplesPerCall, DynamicBatcher batcher, Runner runner) {
            this.name = name;
            this.examplesPerCall = examplesPerCall;
            this.batcher = batcher;
            this.runner = runner;
        }

        void measure(double secs) throws Exception {
            long runsBefore = batcher == null ? 0 : batcher.runs();
            long examplesBefore = batcher == null ? 0 : batcher.examplesRun();
            elapsed += runner.run(secs, latencies);
            if (batcher != null) {
                runs += batcher.runs() - runsBefore;
                examplesRun += batcher.examplesRun() - examplesBefore;
            }
        }

        BenchRow result() {
            double meanBatch = batcher == null ? examplesPerCall : runs == 0 ? 0 : examplesRun / (double) runs;
            return new BenchRow(name, latencies.count() * (double) examplesPerCall / elapsed,
                    latencies.percentileMillis(50), latencies.percentileMillis(99), latencies.count(), meanBatch);
        }
    }

    @FunctionalInterface
    private interface Runner {
        /** Runs for about {@code seconds}, recording call latencies; returns the elapsed seconds. */
        double run(double seconds, LatencyRecorder latencies) throws Exception;
    }

    private void report(List<BenchRow> rows) throws Exception {
        double inProcess = rows.get(0).examplesPerSecond();
        System.out.println();
        System.out.printf(Locale.ROOT, "%-52s %12s %9s %9s %10s %10s%n", "configuration", "examples/s", "p50 ms",
                "p99 ms", "mean batch", "÷ in-proc");
        for (BenchRow r : rows) {
            System.out.printf(Locale.ROOT, "%-52s %12.1f %9.2f %9.2f %10.1f %10.3f%n", r.name(),
                    r.examplesPerSecond(), r.p50Ms(), r.p99Ms(), r.meanBatch(), r.examplesPerSecond() / inProcess);
        }
        List<Ratio> ratios = List.of(
                new Ratio("stream_vs_in_process", "stream / in-process",
                        rows.get(2).examplesPerSecond() / inProcess, 0.95),
                new Ratio("unary_vs_in_process", "unary / in-process",
                        rows.get(1).examplesPerSecond() / inProcess, null),
                new Ratio("clients_batching_on_vs_stream", "clients batching on / stream",
                        rows.get(3).examplesPerSecond() / rows.get(2).examplesPerSecond(), 0.8),
                new Ratio("clients_batching_on_vs_off", "clients batching on / off",
                        rows.get(3).examplesPerSecond() / rows.get(4).examplesPerSecond(), null),
                new Ratio("arena_off_vs_on", "in-process, CPU arena off (the server's default) / on",
                        inProcess / rows.get(5).examplesPerSecond(), null));
        System.out.println();
        ratios.forEach(r -> System.out.printf(Locale.ROOT, "%-52s %8.3f%n", r.label()
                + (r.target() == null ? "" : " (target >= " + r.target() + ")"), r.value()));
        // Keys are snake_case, like all JSON the project writes. Rows are written key by key, so renaming a Java
        // accessor cannot change the file.
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", Map.of("layers", layers, "hidden", hidden, "seq", seq, "batch", batch, "window", window,
                "clients", clients, "seconds", seconds, "cores", Runtime.getRuntime().availableProcessors()));
        out.put("rows", rows.stream().map(BenchRow::toJson).toList());
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, Double> targets = new LinkedHashMap<>();
        for (Ratio r : ratios) {
            values.put(r.key(), r.value());
            if (r.target() != null) {
                targets.put(r.key(), r.target());
            }
        }
        out.put("ratios", values);
        out.put("ratio_targets", targets); // the least each ratio should reach
        Path target = json.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Files.writeString(target, new GsonBuilder().setPrettyPrinting().create().toJson(out),
                StandardCharsets.UTF_8);
        System.out.println("\nwrote " + json);
    }

    /**
     * A throughput ratio between two rows.
     *
     * @param key    its key in the JSON file
     * @param label  how the console names it
     * @param value  the ratio measured
     * @param target the least it should reach, or null when it has no target
     */
    private record Ratio(String key, String label, double value, Double target) {
    }

    private static double runFor(int threads, double seconds, ThrowingCall call, LatencyRecorder latencies)
            throws Exception {
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        AtomicReference<Exception> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    while (System.nanoTime() < end && failure.get() == null) {
                        long s = System.nanoTime();
                        call.run();
                        latencies.record(System.nanoTime() - s);
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            });
            worker.start();
            workers.add(worker);
        }
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** InferStream with {@code window} batch requests in flight. */
    private double streamFor(ManagedChannel channel, InferRequest request, double secs, LatencyRecorder latencies)
            throws Exception {
        Semaphore slots = new Semaphore(window);
        Map<String, Long> sent = new java.util.concurrent.ConcurrentHashMap<>();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        StreamObserver<InferRequest> requests = TeacherServiceGrpc.newStub(channel).inferStream(
                new StreamObserver<>() {
                    @Override
                    public void onNext(InferResponse r) {
                        latencies.record(System.nanoTime() - sent.remove(r.getRequestId()));
                        slots.release();
                    }

                    @Override
                    public void onError(Throwable t) {
                        failure.set(t);
                        slots.release(window);
                        finished.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        finished.countDown();
                    }
                });
        long start = System.nanoTime();
        long end = start + (long) (secs * 1e9);
        AtomicLong id = new AtomicLong();
        while (System.nanoTime() < end && failure.get() == null) {
            slots.acquire();
            String rid = Long.toString(id.incrementAndGet());
            sent.put(rid, System.nanoTime());
            requests.onNext(request.toBuilder().setRequestId(rid).build());
        }
        requests.onCompleted();
        finished.await(60, TimeUnit.SECONDS);
        if (failure.get() != null) {
            throw new IllegalStateException("stream failed: " + failure.get().getMessage(), failure.get());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private Map<String, HostTensor> hostBatch(SplittableRandom random, int n) {
        long[] ids = new long[n * seq];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i % seq == 0 ? 101 : 1000 + random.nextInt(29000);
        }
        long[] ones = new long[n * seq];
        java.util.Arrays.fill(ones, 1);
        Map<String, HostTensor> feeds = new LinkedHashMap<>();
        feeds.put("input_ids", HostTensor.ofLongs(ids, n, seq));
        feeds.put("attention_mask", HostTensor.ofLongs(ones, n, seq));
        feeds.put("token_type_ids", HostTensor.ofLongs(new long[n * seq], n, seq));
        return feeds;
    }

    private InferRequest request(SplittableRandom random, int n) {
        InferRequest.Builder b = InferRequest.newBuilder().setModel(MODEL).addOutputs(OUTPUTS[0])
                .setOutputDtype(DataType.FLOAT16);
        hostBatch(random, n).forEach((k, v) -> b.putInputs(k, TensorCodec.encodeLongs(v.longs(), v.shape())));
        return b.build();
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    /** A teacher server on loopback with a channel to it. */
    private static final class Served implements AutoCloseable {
        final TeacherServer server;
        final ManagedChannel channel;

        Served(Path model, SessionFactory sessions, BatchingOptions batching) throws Exception {
            ModelRegistry registry = ModelRegistry.builder(sessions, batching)
                    .addModel(MODEL, model, null, null, null).build();
            server = new TeacherServer(NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)),
                    registry, ServerLimits.defaults()).start();
            channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .maxInboundMessageSize(256 << 20).build();
        }

        DynamicBatcher batcher() {
            return server.registry().models().get(0).batcher();
        }

        @Override
        public void close() throws Exception {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdown(5000);
        }
    }
}
