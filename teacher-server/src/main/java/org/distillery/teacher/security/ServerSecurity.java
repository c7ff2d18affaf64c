package org.distillery.teacher.security;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import org.distillery.common.security.BearerTokens;
import org.distillery.common.security.PemFiles;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * How the teacher server's main port is protected. TLS with a certificate and its PKCS#8 key; with a client CA also
 * mTLS (client certificates signed by that CA are required); with a token file, a bearer token on every call to the
 * teacher service and reflection. Files are checked when credentials are made, each failure one line naming the
 * option and the file.
 *
 * @param certificate the server's certificate chain (PEM), or null for plaintext
 * @param privateKey  its PKCS#8 private key (PEM), or null
 * @param clientCa    CA certificates (PEM) that must have signed client certificates, or null for no mTLS
 * @param tokenFile   file holding the bearer token, or null for no token
 */
public record ServerSecurity(Path certificate, Path privateKey, Path clientCa, Path tokenFile) {
    /** Plaintext, no token. */
    public static final ServerSecurity NONE = new ServerSecurity(null, null, null, null);

    /** @throws IllegalArgumentException when options that go together come alone */
    public ServerSecurity {
        if (certificate != null && privateKey == null) {
            throw new IllegalArgumentException("--tls-cert needs --tls-key KEY.pem (the certificate's PKCS#8 key)");
        }
        if (privateKey != null && certificate == null) {
            throw new IllegalArgumentException("--tls-key needs --tls-cert CERT.pem (the certificate of that key)");
        }
        if (clientCa != null && certificate == null) {
            throw new IllegalArgumentException("--tls-client-ca needs --tls-cert and --tls-key: client certificates "
                    + "are checked only over TLS");
        }
    }

    /** True when the main port speaks TLS. */
    public boolean tls() {
        return certificate != null;
    }

    /** True when calls to the teacher service and reflection need a bearer token. */
    public boolean token() {
        return tokenFile != null;
    }

    /**
     * The main port's credentials: TLS (and mTLS) from the PEM files, or plaintext.
     *
     * @throws IllegalArgumentException when a file is missing, unreadable or of the wrong kind
     */
    public ServerCredentials credentials() {
        if (!tls()) {
            return InsecureServerCredentials.create();
        }
        PemFiles.keyMatchesCertificate("--tls-cert", certificate, "--tls-key", privateKey);
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder();
        try {
            tls.keyManager(certificate.toFile(), privateKey.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("--tls-cert " + certificate + " / --tls-key " + privateKey
                    + ": cannot be read: " + e.getMessage(), e);
        }
        if (clientCa != null) {
            PemFiles.certificates("--tls-client-ca", clientCa);
            try {
                tls.trustManager(clientCa.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException("--tls-client-ca " + clientCa + ": cannot be read: "
                        + e.getMessage(), e);
            }
            tls.clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        }
        return tls.build();
    }

    /**
     * The interceptors for the teacher service and reflection: the bearer-token check when a token file is given.
     *
     * @throws IllegalArgumentException when the token file is missing, unreadable or empty
     */
    public List<ServerInterceptor> guards() {
        if (!token()) {
            return List.of();
        }
        return List.of(new BearerTokenInterceptor(BearerTokens.read("--auth-token-file", tokenFile)));
    }

    /**
     * A Netty builder listening on {@code address} with {@link #credentials()}.
     *
     * @throws IllegalArgumentException when the files are wrong or TLS cannot be set up with them
     */
    public NettyServerBuilder builder(InetSocketAddress address) {
        ServerCredentials credentials = credentials();
        try {
            return NettyServerBuilder.forAddress(address, credentials);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot set up TLS with --tls-cert " + certificate + " and --tls-key "
                    + privateKey + (clientCa == null ? "" : " and --tls-client-ca " + clientCa) + ": "
                    + e.getMessage(), e);
        }
    }
}
