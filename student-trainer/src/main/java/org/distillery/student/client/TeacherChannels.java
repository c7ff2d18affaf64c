package org.distillery.student.client;

import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import org.distillery.common.fleet.FleetChannels;
import org.distillery.common.fleet.TeacherTarget;
import org.distillery.common.security.BearerCallCredentials;
import org.distillery.common.security.BearerTokens;
import org.distillery.common.security.PemFiles;
import org.distillery.student.options.TeacherOptions;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;

/**
 * Channels to a teacher server with the link's credentials: TLS trusting {@code --teacher-tls-ca} (the JDK's roots
 * without it), a client certificate for mTLS, and a bearer token on every call. TLS is on when a CA or a client
 * certificate is given. Files are checked first, each problem one line naming the option and the file; the token
 * itself never appears in a message or a log.
 */
public final class TeacherChannels {
    private TeacherChannels() {
    }

    /**
     * One channel over the teachers of {@code target} (round robin, health-checked; see {@link FleetChannels}).
     *
     * @throws IllegalArgumentException when a certificate, key or token file is missing or of the wrong kind
     */
    public static ManagedChannel open(TeacherTarget target, TeacherOptions options, int maxMessageBytes) {
        return FleetChannels.builder(target, credentials(options)).maxInboundMessageSize(maxMessageBytes).build();
    }

    /** Transport credentials, plus the bearer token when a token file is given. */
    static ChannelCredentials credentials(TeacherOptions options) {
        ChannelCredentials transport = options.tls() ? tls(options) : InsecureChannelCredentials.create();
        if (options.tokenFile() == null) {
            return transport;
        }
        String token = BearerTokens.read("--teacher-token-file", options.tokenFile());
        return CompositeChannelCredentials.create(transport, new BearerCallCredentials(token));
    }

    /**
     * What to check when the first call failed for want of credentials: UNAUTHENTICATED without a token file, or
     * UNAVAILABLE although a server answered (not a refused connection), with the TLS handshake's own reason where
     * there is one; "" when nothing applies.
     */
    static String hint(TeacherOptions options, TeacherException failure) {
        if (failure.code() == Status.Code.UNAUTHENTICATED) {
            return options.tokenFile() == null ? " (give the teacher's token with --teacher-token-file FILE)" : "";
        }
        if (failure.code() != Status.Code.UNAVAILABLE) {
            return "";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof ConnectException || root instanceof UnknownHostException) {
            return "";
        }
        if (!options.tls()) {
            return " (the link is plaintext: if the teacher serves TLS, give --teacher-tls-ca)";
        }
        String reason = root == failure || root.getMessage() == null ? "" : root.getMessage() + "; ";
        return " (TLS: " + reason + "the teacher's certificate must be signed by --teacher-tls-ca, and a teacher that "
                + "requires client certificates needs --teacher-tls-cert/--teacher-tls-key it accepts)";
    }

    private static ChannelCredentials tls(TeacherOptions options) {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        try {
            if (options.tlsCa() != null) {
                tls.trustManager(PemFiles.certificates("--teacher-tls-ca", options.tlsCa()).toFile());
            }
            if (options.tlsCert() != null) {
                PemFiles.keyMatchesCertificate("--teacher-tls-cert", options.tlsCert(), "--teacher-tls-key",
                        options.tlsKey());
                tls.keyManager(options.tlsCert().toFile(), options.tlsKey().toFile());
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the teacher's TLS files: " + e.getMessage(), e);
        }
        return tls.build();
    }
}
