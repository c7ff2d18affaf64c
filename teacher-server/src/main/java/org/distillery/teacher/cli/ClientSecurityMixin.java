package org.distillery.teacher.cli;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import org.distillery.common.fleet.FleetChannels;
import org.distillery.common.fleet.TeacherTarget;
import org.distillery.common.security.BearerCallCredentials;
import org.distillery.common.security.BearerTokens;
import org.distillery.common.security.PemFiles;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How {@code teacher-server query} and {@code teacher-server health} reach a protected server: TLS trusting a CA, a
 * client certificate for mTLS, a bearer token. TLS is on when a CA or a client certificate is given; without a CA the
 * JDK's trusted roots apply.
 */
public final class ClientSecurityMixin {
    @Option(names = "--teacher-tls-ca", paramLabel = "PEM",
            description = "Use TLS and trust server certificates signed by this CA (default: plaintext).")
    Path ca;

    @Option(names = "--teacher-tls-cert", paramLabel = "PEM",
            description = "Client certificate for mTLS; turns TLS on (needs --teacher-tls-key) (default: none).")
    Path certificate;

    @Option(names = "--teacher-tls-key", paramLabel = "PEM",
            description = "The client certificate's PKCS#8 private key (default: none).")
    Path privateKey;

    @Option(names = "--teacher-token-file", paramLabel = "FILE",
            description = "Send 'authorization: Bearer <token>' with the file's trimmed content (default: no token).")
    Path tokenFile;

    /**
     * A channel to the teacher or teachers of {@code target} with these credentials (round robin over a list).
     *
     * @throws IllegalArgumentException when options that go together come alone, or a file is wrong
     */
    ManagedChannel channel(TeacherTarget target, int maxMessageBytes) {
        return FleetChannels.builder(target, channelCredentials()).maxInboundMessageSize(maxMessageBytes).build();
    }

    /**
     * The transport credentials these options ask for (plaintext, TLS or mTLS), with the bearer token when one is
     * given.
     *
     * @throws IllegalArgumentException when options that go together come alone, or a file is wrong
     */
    ChannelCredentials channelCredentials() {
        ChannelCredentials credentials = credentials();
        if (tokenFile != null) {
            credentials = CompositeChannelCredentials.create(credentials,
                    new BearerCallCredentials(BearerTokens.read("--teacher-token-file", tokenFile)));
        }
        return credentials;
    }

    private ChannelCredentials credentials() {
        if ((certificate == null) != (privateKey == null)) {
            throw new IllegalArgumentException(certificate == null
                    ? "--teacher-tls-key needs --teacher-tls-cert CERT.pem (the client certificate of that key)"
                    : "--teacher-tls-cert needs --teacher-tls-key KEY.pem (the certificate's PKCS#8 key)");
        }
        if (ca == null && certificate == null) {
            return InsecureChannelCredentials.create();
        }
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        try {
            if (ca != null) {
                tls.trustManager(PemFiles.certificates("--teacher-tls-ca", ca).toFile());
            }
            if (certificate != null) {
                PemFiles.keyMatchesCertificate("--teacher-tls-cert", certificate, "--teacher-tls-key", privateKey);
                tls.keyManager(certificate.toFile(), privateKey.toFile());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the TLS files: " + e.getMessage(), e);
        }
        return tls.build();
    }
}
