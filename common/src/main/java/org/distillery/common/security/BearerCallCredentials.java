package org.distillery.common.security;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Adds {@code authorization: Bearer <token>} to every call. Warns once (without the token) when a call goes over a
 * connection without TLS, where the token crosses the network in clear text.
 */
public final class BearerCallCredentials extends CallCredentials {
    private static final Logger LOG = Logger.getLogger(BearerCallCredentials.class.getName());
    private final String value;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** @param token the token, as {@link BearerTokens#read} returns it */
    public BearerCallCredentials(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("a bearer token must not be empty");
        }
        this.value = BearerTokens.SCHEME + token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor appExecutor, MetadataApplier applier) {
        if (info.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY && warned.compareAndSet(false, true)) {
            LOG.warning("sending the bearer token to " + info.getAuthority() + " over a connection without TLS");
        }
        Metadata headers = new Metadata();
        headers.put(BearerTokens.AUTHORIZATION, value);
        applier.apply(headers);
    }

    @Override
    public String toString() {
        return "BearerCallCredentials[token hidden]";
    }
}
