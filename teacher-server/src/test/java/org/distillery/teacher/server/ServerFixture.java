package org.distillery.teacher.server;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.metrics.MetricsHttpServer;
import org.distillery.proto.v1.CombineMode;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.metrics.TeacherMetrics;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real teacher server for tests: Netty on 127.0.0.1 with port 0 (or in-process), and a channel to it. */
public final class ServerFixture implements AutoCloseable {
    public final TeacherServer server;
    public final ManagedChannel channel;

    private ServerFixture(TeacherServer server, ManagedChannel channel) {
        this.server = server;
        this.channel = channel;
    }

    public static Builder builder() {
        return new Builder();
    }

    public TeacherServiceGrpc.TeacherServiceBlockingStub blocking() {
        return TeacherServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    public TeacherServiceGrpc.TeacherServiceStub async() {
        return TeacherServiceGrpc.newStub(channel);
    }

    public ServedModel model(String name) {
        return (ServedModel) server.registry().endpoint(name);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown(2000);
    }

    /** Collects models and settings, then starts. */
    public static final class Builder {
        private final SessionFactory sessions = new SessionFactory(Device.CPU, 1);
        private BatchingOptions batching = new BatchingOptions(32, 2000, 1024);
        private ServerLimits limits = ServerLimits.defaults();
        private boolean inProcess;
        private ModelRegistry.Builder registry;
        private TeacherMetrics metrics = TeacherMetrics.disabled();

        ModelRegistry.Builder registry() {
            if (registry == null) {
                registry = ModelRegistry.builder(sessions, batching).metrics(metrics);
            }
            return registry;
        }

        /** Must come before any model. */
        public Builder batching(BatchingOptions options) {
            if (registry != null) {
                throw new IllegalStateException("set batching before adding models");
            }
            this.batching = options;
            return this;
        }

        /** Metrics on, served on an ephemeral port of 127.0.0.1 ({@link TeacherServer#metricsPort()}). */
        public Builder metrics() {
            if (registry != null) {
                throw new IllegalStateException("turn metrics on before adding models");
            }
            this.metrics = TeacherMetrics.create();
            return this;
        }

        public Builder limits(ServerLimits limits) {
            this.limits = limits;
            return this;
        }

        public Builder inProcess() {
            this.inProcess = true;
            return this;
        }

        public Builder model(String name, Path onnx) throws Exception {
            registry().addModel(name, onnx, null, null, null);
            return this;
        }

        public Builder model(String name, Path onnx, Path tokenizer) throws Exception {
            registry().addModel(name, onnx, tokenizer, null, null);
            return this;
        }

        /** A model with a tokenizer (or null) and a max_length (or null), as {@code --model} takes them. */
        public Builder model(String name, Path onnx, Path tokenizer, Integer maxLength) throws Exception {
            registry().addModel(name, onnx, tokenizer, null, maxLength);
            return this;
        }

        private TeacherServer withMetrics(TeacherServer server) throws java.io.IOException {
            return metrics.enabled()
                    ? server.withMetricsServer(MetricsHttpServer.start("127.0.0.1", 0, metrics.registry())) : server;
        }

        public Builder ensemble(String name, CombineMode mode, String... members) {
            registry().addEnsemble(name, List.of(members), mode);
            return this;
        }

        public ServerFixture start() throws Exception {
            ModelRegistry built = registry().build();
            if (inProcess) {
                String name = InProcessServerBuilder.generateName();
                TeacherServer server = withMetrics(new TeacherServer(InProcessServerBuilder.forName(name), built,
                        limits)).start();
                return new ServerFixture(server, InProcessChannelBuilder.forName(name).build());
            }
            TeacherServer server = withMetrics(new TeacherServer(NettyServerBuilder.forAddress(
                    new InetSocketAddress("127.0.0.1", 0)), built, limits)).start();
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                    .maxInboundMessageSize(256 << 20).build();
            return new ServerFixture(server, channel);
        }
    }
}
