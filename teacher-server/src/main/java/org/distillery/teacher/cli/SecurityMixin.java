package org.distillery.teacher.cli;

import org.distillery.teacher.security.ServerSecurity;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** TLS, mTLS, the bearer token and the plaintext health port of {@code teacher-server}. */
public final class SecurityMixin {
    @Option(names = "--tls-cert", paramLabel = "PEM",
            description = "Serve TLS with this certificate chain (needs --tls-key) (default: plaintext).")
    Path certificate;

    @Option(names = "--tls-key", paramLabel = "PEM",
            description = "The certificate's private key, PKCS#8 PEM ('BEGIN PRIVATE KEY') (default: none).")
    Path privateKey;

    @Option(names = "--tls-client-ca", paramLabel = "PEM",
            description = "Require client certificates signed by this CA (mTLS; needs --tls-cert) (default: none).")
    Path clientCa;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
            description = "Require 'authorization: Bearer <token>' (the file's trimmed content) on the teacher "
                    + "service and reflection; health stays open (default: no token).")
    Path tokenFile;

    @Option(names = "--health-port", paramLabel = "N",
            description = "Also serve grpc.health.v1.Health alone, in plaintext, on this port (for Kubernetes gRPC "
                    + "probes); 0 picks a free one (default: off).")
    Integer healthPort;

    /** The validated settings of the main port. */
    ServerSecurity settings() {
        if (healthPort != null && (healthPort < 0 || healthPort > 65535)) {
            throw new IllegalArgumentException("--health-port must be in [0, 65535], got " + healthPort);
        }
        return new ServerSecurity(certificate, privateKey, clientCa, tokenFile);
    }
}
