package org.distillery.teacher.cli;

import org.distillery.common.testing.TestCertificates;
import org.distillery.common.testing.TestTeachers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Wrong TLS and token options, on the server and on {@code query}: one line naming the problem, exit code 2. */
// A separate thread: a command that wrongly started serving would block for good, and must still end the test.
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecurityOptionsTest {
    @TempDir
    static Path dir;
    private static TestCertificates certs;
    private static Path model;

    @BeforeAll
    static void files() throws Exception {
        certs = TestCertificates.create(dir.resolve("pki"));
        model = TestTeachers.mlp(dir.resolve("m.onnx"), 4, 4, 2, 1);
    }

    private static String fails(String... options) {
        List<String> args = new ArrayList<>(List.of("--device", "cpu", "--host", "127.0.0.1", "--port", "0",
                "--model", "m=" + model));
        args.addAll(List.of(options));
        return failsWith(args.toArray(new String[0]));
    }

    private static String failsWith(String... args) {
        StringWriter err = new StringWriter();
        int code = TeacherServerMain.execute(new PrintWriter(err, true), args);
        String text = err.toString().trim();
        assertEquals(2, code, text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.startsWith("teacher-server: "), text);
        return text;
    }

    @Test
    void missingOrUnreadableFilesAreNamed() {
        Path missing = dir.resolve("nope.pem");
        String cert = fails("--tls-cert", missing.toString(), "--tls-key", certs.serverKey().toString());
        assertTrue(cert.contains("--tls-cert: file not found: " + missing), cert);
        String key = fails("--tls-cert", certs.serverCert().toString(), "--tls-key", missing.toString());
        assertTrue(key.contains("--tls-key: file not found: " + missing), key);
        String ca = fails("--tls-cert", certs.serverCert().toString(), "--tls-key", certs.serverKey().toString(),
                "--tls-client-ca", missing.toString());
        assertTrue(ca.contains("--tls-client-ca: file not found"), ca);
        String token = fails("--auth-token-file", missing.toString());
        assertTrue(token.contains("--auth-token-file: file not found"), token);
        String directory = fails("--auth-token-file", dir.toString());
        assertTrue(directory.contains("--auth-token-file: cannot read " + dir), directory);
    }

    @Test
    void aPkcs1KeyIsRefusedWithTheWayToConvertIt() throws Exception {
        Path pkcs1 = TestCertificates.pkcs1RsaKey(dir.resolve("rsa.key"));
        String err = fails("--tls-cert", certs.serverCert().toString(), "--tls-key", pkcs1.toString());
        assertTrue(err.contains("is a PKCS#1 key ('BEGIN RSA PRIVATE KEY'); expected PKCS#8 ('-----BEGIN PRIVATE "
                + "KEY-----')") && err.contains("openssl pkcs8 -topk8 -nocrypt"), err);
    }

    @Test
    void filesOfTheWrongKind() {
        String keyAsCert = fails("--tls-cert", certs.serverKey().toString(), "--tls-key", certs.serverKey().toString());
        assertTrue(keyAsCert.contains("expected PEM certificates ('-----BEGIN CERTIFICATE-----'), found "
                + "'BEGIN PRIVATE KEY'"), keyAsCert);
        String certAsKey = fails("--tls-cert", certs.serverCert().toString(), "--tls-key",
                certs.serverCert().toString());
        assertTrue(certAsKey.contains("expected a PKCS#8 private key") && certAsKey.contains("'BEGIN CERTIFICATE'"),
                certAsKey);
        String mixedUp = fails("--tls-cert", certs.serverCert().toString(), "--tls-key", certs.clientKey().toString());
        assertTrue(mixedUp.contains("--tls-key " + certs.clientKey() + " does not belong to the certificate in "
                + "--tls-cert " + certs.serverCert()), mixedUp);
    }

    @Test
    void anEmptyTokenFileIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty-token"), " \n\t\n");
        String err = fails("--auth-token-file", empty.toString());
        assertTrue(err.contains("--auth-token-file " + empty + " is empty: expected the bearer token"), err);
        Path twoWords = Files.writeString(dir.resolve("two-words"), "abc def\n");
        String spaced = fails("--auth-token-file", twoWords.toString());
        assertTrue(spaced.contains("expected the token as one word") && !spaced.contains("abc"), spaced);
    }

    @Test
    void optionsThatGoTogether() {
        String keyAlone = fails("--tls-key", certs.serverKey().toString());
        assertTrue(keyAlone.contains("--tls-key needs --tls-cert"), keyAlone);
        String certAlone = fails("--tls-cert", certs.serverCert().toString());
        assertTrue(certAlone.contains("--tls-cert needs --tls-key"), certAlone);
        String caAlone = fails("--tls-client-ca", certs.caCert().toString());
        assertTrue(caAlone.contains("--tls-client-ca needs --tls-cert and --tls-key"), caAlone);
        assertTrue(fails("--health-port", "70000").contains("--health-port must be in [0, 65535], got 70000"));
    }

    @Test
    void queryOptionsAreCheckedToo() throws Exception {
        String[] query = {"query", "--target", "127.0.0.1:1", "--model", "m"};
        String keyAlone = failsWith(concat(query, "--teacher-tls-key", certs.clientKey().toString()));
        assertTrue(keyAlone.contains("--teacher-tls-key needs --teacher-tls-cert"), keyAlone);
        Path pkcs1 = TestCertificates.pkcs1RsaKey(dir.resolve("rsa-client.key"));
        String p1 = failsWith(concat(query, "--teacher-tls-cert", certs.clientCert().toString(), "--teacher-tls-key",
                pkcs1.toString()));
        assertTrue(p1.contains("--teacher-tls-key " + pkcs1 + " is a PKCS#1 key"), p1);
        String ca = failsWith(concat(query, "--teacher-tls-ca", dir.resolve("none.pem").toString()));
        assertTrue(ca.contains("--teacher-tls-ca: file not found"), ca);
        Path empty = Files.writeString(dir.resolve("empty-client-token"), "");
        String token = failsWith(concat(query, "--teacher-token-file", empty.toString()));
        assertTrue(token.contains("--teacher-token-file " + empty + " is empty"), token);
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(new String[0]);
    }
}
