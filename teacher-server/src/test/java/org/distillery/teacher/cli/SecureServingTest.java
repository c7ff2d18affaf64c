package org.distillery.teacher.cli;

import com.google.protobuf.ByteString;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.distillery.common.security.BearerCallCredentials;
import org.distillery.common.security.BearerTokens;
import org.distillery.common.testing.TestCertificates;
import org.distillery.common.testing.TestTeachers;
import org.distillery.proto.v1.DataType;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.InferResponse;
import org.distillery.proto.v1.ListModelsRequest;
import org.distillery.proto.v1.Tensor;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TLS, mTLS, bearer tokens and the plaintext health port, on servers started the way {@code teacher-server} starts
 * them (Netty on 127.0.0.1, port 0), with certificates made at test time.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecureServingTest {
    private static final String TOKEN = "s3cret-token_for.tests";

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static Path model;
    private static Path tokenFile;

    private final List<ManagedChannel> channels = new ArrayList<>();
    private TeacherServer server;

    @BeforeAll
    static void files() throws Exception {
        certs = TestCertificates.create(dir.resolve("pki"));
        model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
        tokenFile = Files.writeString(dir.resolve("token"), "  " + TOKEN + "\n");
    }

    @AfterEach
    void close() throws InterruptedException {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdown(1000);
        }
    }

    /** Starts a server from command-line options. */
    private TeacherServer serve(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--device", "cpu", "--host", "127.0.0.1", "--port", "0",
                "--model", "m=" + model));
        args.addAll(List.of(options));
        TeacherServerMain main = new TeacherServerMain();
        new CommandLine(main).parseArgs(args.toArray(new String[0]));
        server = main.start();
        return server;
    }

    private String[] tls() {
        return new String[]{"--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString()};
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(new String[0]);
    }

    private ManagedChannel channel(int port, ChannelCredentials credentials) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
        channels.add(channel);
        return channel;
    }

    private static ChannelCredentials trustingCa() throws Exception {
        return TlsChannelCredentials.newBuilder().trustManager(certs.caCert().toFile()).build();
    }

    private static ChannelCredentials withClientCert(Path cert, Path key) throws Exception {
        return TlsChannelCredentials.newBuilder().trustManager(certs.caCert().toFile())
                .keyManager(cert.toFile(), key.toFile()).build();
    }

    private static ChannelCredentials withToken(ChannelCredentials transport, String token) {
        return CompositeChannelCredentials.create(transport, new BearerCallCredentials(token));
    }

    private static int listModels(ManagedChannel channel) {
        return TeacherServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .listModels(ListModelsRequest.getDefaultInstance()).getModelsCount();
    }

    private static Status failure(ManagedChannel channel) {
        return assertThrows(StatusRuntimeException.class, () -> listModels(channel)).getStatus();
    }

    private static ServingStatus health(ManagedChannel channel, String service) {
        return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    @Test
    void tlsCallSucceedsWithTheCaAndFailsWithoutIt() throws Exception {
        int port = serve(tls()).port();
        assertEquals(1, listModels(channel(port, trustingCa())));
        // the JDK's roots do not include the test CA
        Status untrusted = failure(channel(port, TlsChannelCredentials.create()));
        assertEquals(Status.Code.UNAVAILABLE, untrusted.getCode(), untrusted.toString());
    }

    @Test
    void plaintextClientToATlsServerFails() throws Exception {
        int port = serve(tls()).port();
        Status status = failure(channel(port, InsecureChannelCredentials.create()));
        assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
    }

    @Test
    void mtlsNeedsAClientCertificateSignedByTheCa() throws Exception {
        int port = serve(concat(tls(), "--tls-client-ca", certs.caCert().toString())).port();
        Status none = failure(channel(port, trustingCa()));
        assertEquals(Status.Code.UNAVAILABLE, none.getCode(), none.toString());
        Status stranger = failure(channel(port, withClientCert(certs.otherClientCert(), certs.otherClientKey())));
        assertEquals(Status.Code.UNAVAILABLE, stranger.getCode(), stranger.toString());
        assertEquals(1, listModels(channel(port, withClientCert(certs.clientCert(), certs.clientKey()))));
    }

    @Test
    void theTokenIsRequiredExceptForHealth() throws Exception {
        int port = serve(concat(tls(), "--auth-token-file", tokenFile.toString())).port();
        Status missing = failure(channel(port, trustingCa()));
        assertEquals(Status.Code.UNAUTHENTICATED, missing.getCode(), missing.toString());
        assertTrue(missing.getDescription().contains("requires the header 'authorization: Bearer <token>'")
                && missing.getDescription().contains("distillery.v1.TeacherService/ListModels"), missing.toString());

        Status wrong = failure(channel(port, withToken(trustingCa(), TOKEN + "x")));
        assertEquals(Status.Code.UNAUTHENTICATED, wrong.getCode(), wrong.toString());
        assertTrue(wrong.getDescription().contains("does not match the server's token"), wrong.toString());
        assertTrue(!wrong.getDescription().contains(TOKEN), "the token is never shown: " + wrong);

        Metadata basic = new Metadata();
        basic.put(BearerTokens.AUTHORIZATION, "Basic " + TOKEN);
        Status otherScheme = assertThrows(StatusRuntimeException.class, () -> TeacherServiceGrpc
                .newBlockingStub(channel(port, trustingCa())).withInterceptors(
                        MetadataUtils.newAttachHeadersInterceptor(basic)).withDeadlineAfter(20, TimeUnit.SECONDS)
                .listModels(ListModelsRequest.getDefaultInstance())).getStatus();
        assertEquals(Status.Code.UNAUTHENTICATED, otherScheme.getCode(), otherScheme.toString());
        assertTrue(otherScheme.getDescription().contains("must be 'Bearer <token>'; it had scheme 'Basic'")
                && !otherScheme.getDescription().contains(TOKEN), otherScheme.toString());

        assertEquals(1, listModels(channel(port, withToken(trustingCa(), TOKEN))));
        assertEquals(ServingStatus.SERVING, health(channel(port, trustingCa()), ""));
        assertEquals(ServingStatus.SERVING, health(channel(port, trustingCa()), TeacherServiceGrpc.SERVICE_NAME));
    }

    @Test
    void reflectionNeedsTheToken() throws Exception {
        int port = serve("--auth-token-file", tokenFile.toString()).port();
        Throwable refused = reflect(channel(port, InsecureChannelCredentials.create())).handle((r, e) -> e).get(20,
                TimeUnit.SECONDS);
        assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(refused).getCode(), String.valueOf(refused));
        ServerReflectionResponse answer = reflect(channel(port, withToken(InsecureChannelCredentials.create(),
                TOKEN))).get(20, TimeUnit.SECONDS);
        assertTrue(answer.getListServicesResponse().getServiceList().stream()
                .anyMatch(s -> s.getName().equals(TeacherServiceGrpc.SERVICE_NAME)), answer.toString());
    }

    /** Asks reflection for the service list; the future fails with the call's status. */
    private static CompletableFuture<ServerReflectionResponse> reflect(ManagedChannel channel) {
        CompletableFuture<ServerReflectionResponse> result = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS).serverReflectionInfo(new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        result.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        result.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        result.completeExceptionally(new IllegalStateException("no answer"));
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        requests.onCompleted();
        return result;
    }

    @Test
    void healthPortServesHealthInPlaintextWhileTheMainPortNeedsTls() throws Exception {
        TeacherServer s = serve(concat(tls(), "--tls-client-ca", certs.caCert().toString(), "--auth-token-file",
                tokenFile.toString(), "--health-port", "0"));
        ManagedChannel probe = channel(s.healthPort(), InsecureChannelCredentials.create());
        assertEquals(ServingStatus.SERVING, health(probe, ""));
        assertEquals(ServingStatus.SERVING, health(probe, TeacherServiceGrpc.SERVICE_NAME));
        // health alone: the teacher service is not on the health port
        assertEquals(Status.Code.UNIMPLEMENTED, failure(probe).getCode());
        Status plaintextMain = assertThrows(StatusRuntimeException.class,
                () -> health(channel(s.port(), InsecureChannelCredentials.create()), "")).getStatus();
        assertEquals(Status.Code.UNAVAILABLE, plaintextMain.getCode(), plaintextMain.toString());
        assertEquals(1, listModels(channel(s.port(), withToken(withClientCert(certs.clientCert(),
                certs.clientKey()), TOKEN))));
    }

    @Test
    void theHealthPortReportsNotServingWhileTheMainServerDrains() throws Exception {
        TeacherServer s = serve(concat(tls(), "--health-port", "0"));
        ManagedChannel probe = channel(s.healthPort(), InsecureChannelCredentials.create());
        assertEquals(ServingStatus.SERVING, health(probe, ""));
        // an open stream with an answered request keeps the main server draining
        CompletableFuture<InferResponse> first = new CompletableFuture<>();
        StreamObserver<InferRequest> stream = TeacherServiceGrpc.newStub(channel(s.port(), trustingCa()))
                .inferStream(new StreamObserver<>() {
                    @Override
                    public void onNext(InferResponse value) {
                        first.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        first.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        stream.onNext(InferRequest.newBuilder().setModel("m").setRequestId("1").putInputs("features",
                Tensor.newBuilder().setDtype(DataType.FLOAT32).addShape(1).addShape(4)
                        .setData(ByteString.copyFrom(new byte[16])).build()).build());
        first.get(20, TimeUnit.SECONDS);
        Thread drain = new Thread(() -> s.shutdown(20_000), "drain");
        drain.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        ServingStatus status = ServingStatus.SERVING;
        while (status == ServingStatus.SERVING && System.nanoTime() < until) {
            status = health(probe, "");
            Thread.sleep(20);
        }
        assertEquals(ServingStatus.NOT_SERVING, status);
        assertEquals(ServingStatus.NOT_SERVING, health(probe, TeacherServiceGrpc.SERVICE_NAME));
        stream.onCompleted();
        drain.join(30_000);
        assertTrue(!drain.isAlive(), "the server drained once the stream ended");
    }

    @Test
    void queryCommandUsesTlsClientCertificateAndToken() throws Exception {
        int port = serve(concat(tls(), "--tls-client-ca", certs.caCert().toString(), "--auth-token-file",
                tokenFile.toString())).port();
        String[] query = {"query", "--target", "127.0.0.1:" + port, "--model", "m", "--timeout-seconds", "20",
                "--teacher-tls-ca", certs.caCert().toString(), "--teacher-tls-cert", certs.clientCert().toString(),
                "--teacher-tls-key", certs.clientKey().toString()};
        StringWriter err = new StringWriter();
        assertEquals(0, TeacherServerMain.execute(new PrintWriter(err, true),
                concat(query, "--teacher-token-file", tokenFile.toString())), err.toString());
        StringWriter refused = new StringWriter();
        assertEquals(1, TeacherServerMain.execute(new PrintWriter(refused, true), query), refused.toString());
        assertTrue(refused.toString().contains("UNAUTHENTICATED") && refused.toString().contains("authorization"),
                refused.toString());
    }
}
