package org.distillery.student.deploy;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The files under {@code deploy/}, found above the working directory, and the readers the deploy tests share. */
final class DeployFiles {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:?-([^}]*))?}");

    private DeployFiles() {
    }

    /** The repository root: the first directory above the working directory that holds deploy/compose.yaml. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy").resolve("compose.yaml"))) {
                return dir;
            }
        }
        throw new AssertionError("deploy/compose.yaml not found above " + Path.of("").toAbsolutePath());
    }

    static Path deploy(String first, String... more) {
        return root().resolve("deploy").resolve(Path.of(first, more));
    }

    /** Every YAML document in {@code text}, as plain maps and lists (merge keys resolved). */
    static List<Object> yamlDocuments(String text) {
        List<Object> docs = new ArrayList<>();
        for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(text)) {
            if (doc != null) {
                docs.add(doc);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yamlFile(Path file) throws IOException {
        List<Object> docs = yamlDocuments(Files.readString(file));
        assertEquals(1, docs.size(), file + " holds one YAML document");
        return (Map<String, Object>) docs.get(0);
    }

    /**
     * {@code kubectl kustomize deploy/k8s/DIR}: the YAML it prints. Skipped (an assumption) where kubectl is not
     * installed; fails with kubectl's message when the build fails.
     */
    static String kustomize(String dir) throws IOException, InterruptedException {
        assumeTrue(onPath("kubectl"), "kubectl is not installed: the kustomizations are not built here");
        Path out = Files.createTempFile("kustomize", ".yaml");
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process p = new ProcessBuilder("kubectl", "kustomize", deploy("k8s", dir).toString())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl kustomize " + dir + " did not finish within 60 s");
            }
            assertEquals(0, p.exitValue(), "kubectl kustomize " + dir + ": " + Files.readString(err));
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Compose's interpolation with nothing set in the environment: {@code ${NAME:-default}} and
     * {@code ${NAME-default}} become the default, {@code $$} a dollar. A variable without default fails: the files
     * must run as they are.
     */
    static String interpolate(String text) {
        Matcher m = VARIABLE.matcher(text.replace("$$", "\u0000"));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (m.group(2) == null) {
                fail("${" + m.group(1) + "} has no default in '" + text + "'");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(3)));
        }
        m.appendTail(out);
        return out.toString().replace('\u0000', '$');
    }

    /**
     * A shell command line split into words: white space separates, single and double quotes group (without
     * expansion), {@code $NAME} and {@code "$NAME"} are looked up in {@code env}.
     */
    static List<String> shellWords(String line, Map<String, String> env) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == 0 && Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            if (word == null) {
                word = new StringBuilder();
            }
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            } else if (c == '$' && quote != '\'') {
                Matcher name = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?").matcher(line).region(i,
                        line.length());
                assertTrue(name.lookingAt(), "a $ that starts no variable in: " + line);
                String value = env.get(name.group(1));
                assertTrue(value != null, "$" + name.group(1) + " is not set in: " + line);
                word.append(value);
                i = name.end() - 1;
            } else {
                word.append(c);
            }
        }
        assertEquals(0, quote, "unbalanced quotes in: " + line);
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
