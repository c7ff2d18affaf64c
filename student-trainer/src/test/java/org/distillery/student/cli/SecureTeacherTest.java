package org.distillery.student.cli;

import org.distillery.common.onnx.BertGraphConfig;
import org.distillery.common.testing.TestCertificates;
import org.distillery.common.testing.TestTeachers;
import org.distillery.common.testing.TestTokenizers;
import org.distillery.teacher.batching.BatchingOptions;
import org.distillery.teacher.runtime.Device;
import org.distillery.teacher.runtime.SessionFactory;
import org.distillery.teacher.security.ServerSecurity;
import org.distillery.teacher.server.ModelRegistry;
import org.distillery.teacher.server.ServerLimits;
import org.distillery.teacher.server.TeacherServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training against a teacher that requires TLS, a client certificate and a bearer token, reached through the
 * trainer's command-line options; wrong credentials give one clear line and exit 2.
 */
@Timeout(300)
class SecureTeacherTest {
    private static final String TOKEN = "trainer-token-123";

    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static Path teacherFile;
    private static Path tokenizer;
    private static Path train;
    private static Path tokenFile;
    private TeacherServer server;

    @BeforeAll
    static void files() throws Exception {
        certs = TestCertificates.create(dir.resolve("pki"));
        tokenFile = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        tokenizer = TestTokenizers.write(dir.resolve("tokenizer.json"));
        teacherFile = TestTeachers.bert(dir.resolve("t.onnx"), new BertGraphConfig(100, 16, 1, 2, 32, 64, 2, 2,
                1e-12f), 1);
        List<String> lines = new ArrayList<>(List.of("sentence\tlabel"));
        for (int i = 0; i < 16; i++) {
            lines.add("the movie was great\tpositive");
            lines.add("the movie was terrible\tnegative");
        }
        train = Files.write(dir.resolve("train.tsv"), lines);
    }

    @BeforeEach
    void start() throws Exception {
        ModelRegistry registry = ModelRegistry.builder(new SessionFactory(Device.CPU, 1),
                new BatchingOptions(16, 500, 64)).addModel("two", teacherFile, null, null, null).build();
        ServerSecurity security = new ServerSecurity(certs.serverCert(), certs.serverKey(), certs.caCert(),
                tokenFile);
        server = new TeacherServer(security.builder(new InetSocketAddress("127.0.0.1", 0)), registry,
                ServerLimits.defaults(), security.guards()).start();
    }

    @AfterEach
    void stop() {
        server.shutdown(2000);
    }

    /** Trains with a TLS link trusting the test CA. */
    private String[] args(String run, String... extra) {
        List<String> a = new ArrayList<>(List.of(plain(run)));
        a.addAll(List.of("--teacher-tls-ca", certs.caCert().toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    /** Trains with no TLS or token options. */
    private String[] plain(String run, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--train", train.toString(), "--tokenizer",
                tokenizer.toString(), "--run-dir", dir.resolve(run).toString(), "--student", "fasttext",
                "--hidden", "16", "--max-length", "32", "--batch-size", "8", "--epochs", "1", "--max-steps", "2",
                "--no-progress", "--teacher", "127.0.0.1:" + server.port(), "--teacher-model", "two",
                "--teacher-retries", "0"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private String[] withClientCert(String run, String... extra) {
        List<String> a = new ArrayList<>(List.of(args(run, "--teacher-tls-cert", certs.clientCert().toString(),
                "--teacher-tls-key", certs.clientKey().toString())));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    private static String fails(String... args) {
        return CliAssertions.failsInOneLine(args);
    }

    @Test
    void trainsAgainstATlsTeacherWithClientCertificateAndToken() throws Exception {
        StringWriter err = new StringWriter();
        int code = StudentTrainerMain.execute(new PrintWriter(err, true), withClientCert("run-ok",
                "--teacher-token-file", tokenFile.toString()));
        assertEquals(0, code, err.toString());
        assertEquals(1, Files.readAllLines(dir.resolve("run-ok/metrics.jsonl")).size());
        assertFalse(Files.readString(dir.resolve("run-ok/parameters.json")).contains(TOKEN));
    }

    @Test
    void aMissingOrWrongTokenIsUnauthenticated() throws Exception {
        String missing = fails(withClientCert("run-no-token"));
        assertTrue(missing.contains("UNAUTHENTICATED") && missing.contains("authorization: Bearer <token>")
                && missing.contains("give the teacher's token with --teacher-token-file"), missing);
        Path wrong = Files.writeString(dir.resolve("wrong-token"), "not-" + TOKEN);
        String rejected = fails(withClientCert("run-wrong-token", "--teacher-token-file", wrong.toString()));
        assertTrue(rejected.contains("UNAUTHENTICATED") && rejected.contains("does not match"), rejected);
        assertFalse(rejected.contains(TOKEN), rejected);
    }

    @Test
    void withoutAClientCertificateOrTlsTheConnectionFails() {
        String noCert = fails(args("run-no-cert", "--teacher-token-file", tokenFile.toString()));
        assertTrue(noCert.contains("cannot use the teacher at") && noCert.contains("UNAVAILABLE")
                && noCert.contains("--teacher-tls-cert/--teacher-tls-key"), noCert);
        String plaintext = fails(plain("run-plaintext"));
        assertTrue(plaintext.contains("cannot use the teacher at") && plaintext.contains("UNAVAILABLE")
                && plaintext.contains("the link is plaintext: if the teacher serves TLS, give --teacher-tls-ca"),
                plaintext);
    }

    @Test
    void badCredentialFilesGiveOneClearLine() throws Exception {
        String keyAlone = fails(args("run-bad", "--teacher-tls-key", certs.clientKey().toString()));
        assertTrue(keyAlone.contains("--teacher-tls-key needs --teacher-tls-cert"), keyAlone);
        Path pkcs1 = TestCertificates.pkcs1RsaKey(dir.resolve("rsa.key"));
        String p1 = fails(args("run-bad", "--teacher-tls-cert", certs.clientCert().toString(), "--teacher-tls-key",
                pkcs1.toString()));
        assertTrue(p1.contains("--teacher-tls-key " + pkcs1 + " is a PKCS#1 key"), p1);
        String missingCa = fails(plain("run-bad", "--teacher-tls-ca", dir.resolve("none.pem").toString()));
        assertTrue(missingCa.contains("--teacher-tls-ca: file not found"), missingCa);
        Path empty = Files.writeString(dir.resolve("empty-token"), "\n");
        String emptyToken = fails(withClientCert("run-bad", "--teacher-token-file", empty.toString()));
        assertTrue(emptyToken.contains("--teacher-token-file " + empty + " is empty"), emptyToken);
    }
}
