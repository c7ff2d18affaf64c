package org.distillery.common.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made at test time (none are checked in): a CA, a server certificate for {@code 127.0.0.1} and
 * {@code localhost}, a client certificate signed by the CA, and one signed by another CA. EC P-256 keys (fast to
 * make), written as PKCS#8 PEM as netty wants them.
 *
 * @param caCert          the CA that signed the server and client certificates
 * @param serverCert      server certificate, SAN IP 127.0.0.1 and DNS localhost
 * @param serverKey       its PKCS#8 key
 * @param clientCert      client certificate signed by {@code caCert}
 * @param clientKey       its PKCS#8 key
 * @param otherClientCert client certificate signed by another CA
 * @param otherClientKey  its PKCS#8 key
 */
public record TestCertificates(Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey,
                               Path otherClientCert, Path otherClientKey) {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** Makes every certificate and key under {@code dir}. */
    public static TestCertificates create(Path dir) throws Exception {
        Files.createDirectories(dir);
        KeyPair ca = ecKeys();
        X500Name caName = new X500Name("CN=distillery test CA");
        writeCert(dir.resolve("ca.pem"), sign(caName, ca, caName, ca.getPublic(), true, null, null));

        KeyPair server = ecKeys();
        GeneralNames sans = new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")});
        writeCert(dir.resolve("server.pem"), sign(caName, ca, new X500Name("CN=localhost"), server.getPublic(), false,
                sans, KeyPurposeId.id_kp_serverAuth));
        writeKey(dir.resolve("server.key"), server);

        KeyPair client = ecKeys();
        writeCert(dir.resolve("client.pem"), sign(caName, ca, new X500Name("CN=distillery trainer"),
                client.getPublic(), false, null, KeyPurposeId.id_kp_clientAuth));
        writeKey(dir.resolve("client.key"), client);

        KeyPair otherCa = ecKeys();
        X500Name otherName = new X500Name("CN=some other CA");
        KeyPair other = ecKeys();
        writeCert(dir.resolve("other-client.pem"), sign(otherName, otherCa, new X500Name("CN=stranger"),
                other.getPublic(), false, null, KeyPurposeId.id_kp_clientAuth));
        writeKey(dir.resolve("other-client.key"), other);
        return new TestCertificates(dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"),
                dir.resolve("client.pem"), dir.resolve("client.key"), dir.resolve("other-client.pem"),
                dir.resolve("other-client.key"));
    }

    /** Writes a new RSA key in PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}), the form netty refuses. */
    public static Path pkcs1RsaKey(Path file) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(generator.generateKeyPair().getPrivate());
        }
        String text = Files.readString(file);
        if (!text.contains("BEGIN RSA PRIVATE KEY")) {
            throw new IllegalStateException("expected a PKCS#1 key, wrote " + text.lines().findFirst().orElse(""));
        }
        return file;
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509CertificateHolder sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
                                              java.security.PublicKey subjectKey, boolean isCa, GeneralNames sans,
                                              KeyPurposeId purpose) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), subject, subjectKey);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(isCa
                ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature | KeyUsage.keyAgreement));
        if (sans != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, sans);
        }
        if (purpose != null) {
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
        return builder.build(signer);
    }

    private static void writeCert(Path file, X509CertificateHolder cert) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(cert);
        }
    }

    private static void writeKey(Path file, KeyPair keys) throws IOException {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        }
    }
}
