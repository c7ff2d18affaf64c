package org.distillery.teacher.security;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.distillery.common.errors.GrpcStatuses;
import org.distillery.common.errors.ServingException;
import org.distillery.common.security.BearerTokens;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Lets a call through only with {@code authorization: Bearer <token>} carrying the server's token; any other call
 * ends with UNAUTHENTICATED and a description of what was expected (never the token). Tokens are compared as
 * SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken tells neither the token nor its length.
 */
public final class BearerTokenInterceptor implements ServerInterceptor {
    private final byte[] expected;

    /** @param token the server's token (as {@link BearerTokens#read} returns it) */
    public BearerTokenInterceptor(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("a bearer token must not be empty");
        }
        this.expected = digest(token);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        String problem = problem(headers.get(BearerTokens.AUTHORIZATION));
        if (problem == null) {
            return next.startCall(call, headers);
        }
        Status status = GrpcStatuses.toStatus(new ServingException(Status.Code.UNAUTHENTICATED, problem + " (calling "
                + call.getMethodDescriptor().getFullMethodName() + ")"));
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** What is wrong with the header's value, or null when it carries the token. */
    private String problem(String authorization) {
        if (authorization == null) {
            return "this server requires the header 'authorization: Bearer <token>'; the call had no authorization "
                    + "header";
        }
        if (!authorization.regionMatches(true, 0, BearerTokens.SCHEME, 0, BearerTokens.SCHEME.length())) {
            int space = authorization.indexOf(' ');
            String scheme = space > 0 && space <= 16 ? "scheme '" + authorization.substring(0, space) + "'"
                    : "no 'Bearer ' scheme";
            return "the authorization header must be 'Bearer <token>'; it had " + scheme;
        }
        String presented = authorization.substring(BearerTokens.SCHEME.length()).trim();
        if (!MessageDigest.isEqual(expected, digest(presented))) {
            return "the bearer token does not match the server's token";
        }
        return null;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
