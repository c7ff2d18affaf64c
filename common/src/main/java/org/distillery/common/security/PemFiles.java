package org.distillery.common.security;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Checks PEM files before TLS code sees them, so that a wrong file is one line naming the option, the file, what
 * was expected and what was found. Netty (BoringSSL) reads only unencrypted PKCS#8 keys ({@code BEGIN PRIVATE
 * KEY}); PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) and SEC1 ({@code BEGIN EC PRIVATE KEY}) keys are refused here with
 * the command that converts them.
 */
public final class PemFiles {
    private static final String PKCS8 = "-----BEGIN PRIVATE KEY-----";
    private static final String CERTIFICATE = "-----BEGIN CERTIFICATE-----";

    private PemFiles() {
    }

    /**
     * Checks that {@code file} holds at least one PEM X.509 certificate.
     *
     * @param option the command-line option that named the file, for the message
     * @return the file
     * @throws IllegalArgumentException when the file is missing, unreadable or holds no valid certificate
     */
    public static Path certificates(String option, Path file) {
        String text = read(option, file);
        if (!text.contains(CERTIFICATE)) {
            throw new IllegalArgumentException(option + " " + file + ": expected PEM certificates ('" + CERTIFICATE
                    + "'), found " + firstPemLabel(text));
        }
        try {
            CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
        } catch (CertificateException e) {
            throw new IllegalArgumentException(option + " " + file + ": not a valid PEM certificate: "
                    + e.getMessage(), e);
        }
        return file;
    }

    /**
     * Checks that {@code file} holds an unencrypted PKCS#8 private key.
     *
     * @param option the command-line option that named the file, for the message
     * @return the file
     * @throws IllegalArgumentException when the file is missing, unreadable, or holds another kind of key
     */
    public static Path pkcs8Key(String option, Path file) {
        String text = read(option, file);
        if (text.contains(PKCS8)) {
            return file;
        }
        String found = firstPemLabel(text);
        String convert = "; convert it with: openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pk8.pem";
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            throw new IllegalArgumentException(option + " " + file + " is a PKCS#1 key ('BEGIN RSA PRIVATE KEY'); "
                    + "expected PKCS#8 ('" + PKCS8 + "')" + convert);
        }
        if (text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            throw new IllegalArgumentException(option + " " + file + " is a SEC1 EC key ('BEGIN EC PRIVATE KEY'); "
                    + "expected PKCS#8 ('" + PKCS8 + "')" + convert);
        }
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            throw new IllegalArgumentException(option + " " + file + " is an encrypted key; expected an unencrypted "
                    + "PKCS#8 key ('" + PKCS8 + "')" + convert);
        }
        throw new IllegalArgumentException(option + " " + file + ": expected a PKCS#8 private key ('" + PKCS8
                + "'), found " + found);
    }

    /**
     * Checks that the PKCS#8 key in {@code keyFile} belongs to the first certificate in {@code certFile} (a
     * signature made with the key verifies with the certificate's public key), so that a mix-up is found at start
     * rather than as failed handshakes. Keys of algorithms other than RSA, EC, Ed25519 and Ed448 are not checked.
     *
     * @throws IllegalArgumentException naming both files when they do not belong together
     */
    public static void keyMatchesCertificate(String certOption, Path certFile, String keyOption, Path keyFile) {
        certificates(certOption, certFile);
        pkcs8Key(keyOption, keyFile);
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(read(certOption, certFile).getBytes(StandardCharsets.US_ASCII)));
            PublicKey publicKey = cert.getPublicKey();
            String algorithm = publicKey.getAlgorithm();
            String signing = switch (algorithm) {
                case "RSA" -> "SHA256withRSA";
                case "EC" -> "SHA256withECDSA";
                case "Ed25519", "Ed448", "EdDSA" -> algorithm;
                default -> null;
            };
            if (signing == null) {
                return;
            }
            PrivateKey privateKey;
            try {
                privateKey = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(
                        pemBody(read(keyOption, keyFile), "PRIVATE KEY")));
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                throw new IllegalArgumentException(keyOption + " " + keyFile + " is not an " + algorithm
                        + " key, but the certificate in " + certOption + " " + certFile + " has an " + algorithm
                        + " public key", e);
            }
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(signing);
            signer.initSign(privateKey);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signing);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException(keyOption + " " + keyFile + " does not belong to the certificate "
                        + "in " + certOption + " " + certFile + " (a signature made with the key does not verify "
                        + "with the certificate's public key)");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(keyOption + " " + keyFile + " cannot be checked against "
                    + certOption + " " + certFile + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of the first PEM block labelled {@code label}. */
    private static byte[] pemBody(String text, String label) {
        String begin = "-----BEGIN " + label + "-----";
        int start = text.indexOf(begin);
        int end = text.indexOf("-----END " + label + "-----", start);
        if (start < 0 || end < 0) {
            throw new IllegalArgumentException("no complete '" + label + "' PEM block");
        }
        return Base64.getMimeDecoder().decode(text.substring(start + begin.length(), end));
    }

    /** The file's text; a missing or unreadable file is an IllegalArgumentException naming the option. */
    static String read(String option, Path file) {
        if (file == null) {
            throw new IllegalArgumentException(option + " needs a file");
        }
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(option + ": file not found: " + file, e);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + file + ": " + e, e);
        }
    }

    /** The label of the first PEM block ("'BEGIN X'"), or a description of what is there instead. */
    private static String firstPemLabel(String text) {
        int begin = text.indexOf("-----BEGIN ");
        if (begin >= 0) {
            int end = text.indexOf("-----", begin + 11);
            if (end > begin) {
                return "'" + text.substring(begin + 5, end) + "'";
            }
        }
        return text.isBlank() ? "an empty file" : "no PEM block";
    }
}
