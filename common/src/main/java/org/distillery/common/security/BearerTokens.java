package org.distillery.common.security;

import io.grpc.Metadata;

import java.nio.file.Path;

/**
 * Bearer tokens as the teacher server and its clients use them: the {@code authorization} header, the
 * {@code Bearer } scheme, and reading a token from a file (its trimmed content).
 */
public final class BearerTokens {
    /** The header that carries {@code Bearer <token>}. */
    public static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    /** The scheme prefix, with its space. */
    public static final String SCHEME = "Bearer ";

    private BearerTokens() {
    }

    /**
     * The token in {@code file}: its content with surrounding white space removed.
     *
     * @param option the command-line option that named the file, for the message
     * @throws IllegalArgumentException when the file is missing, unreadable, empty, or holds characters a header
     *                                  cannot carry (the message never shows the token)
     */
    public static String read(String option, Path file) {
        String token = PemFiles.read(option, file).trim();
        if (token.isEmpty()) {
            throw new IllegalArgumentException(option + " " + file + " is empty: expected the bearer token");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(option + " " + file + ": expected the token as one word of "
                        + "visible ASCII characters, found " + (Character.isWhitespace(c) ? "white space" : "character "
                        + String.format("U+%04X", (int) c)) + " at position " + i);
            }
        }
        return token;
    }
}
