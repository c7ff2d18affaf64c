package org.distillery.student.train;

import ai.djl.nn.AbstractBlock;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;
import org.distillery.student.data.Dataset;
import org.distillery.student.model.StudentConfig;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's directory: {@code config.json} (student architecture), {@code parameters.json} (every hyperparameter and
 * the data), {@code metrics.jsonl} (one line per evaluation), {@code checkpoints/} (weights). Every file is written
 * through a temporary file and a rename, so none is ever half-written.
 */
public final class RunDirectory {

    private final Path root;
    private final List<String> metricLines = new ArrayList<>();

    public RunDirectory(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("checkpoints"));
    }

    public Path root() {
        return root;
    }

    /**
     * Checks that a run being resumed was started with the same student and the same settings (what the loop is
     * told about files, progress and time limits may change).
     *
     * @throws IllegalArgumentException naming what differs
     */
    public void checkResumable(StudentConfig config, Map<String, Object> settings) throws IOException {
        Path configFile = root.resolve("config.json");
        Path parametersFile = root.resolve("parameters.json");
        if (!Files.isRegularFile(configFile) || !Files.isRegularFile(parametersFile)) {
            throw new IllegalArgumentException("cannot resume: " + root + " has no config.json and parameters.json");
        }
        // Compared as parsed text on both sides, so numbers compare as they are written.
        if (!JsonParser.parseString(Files.readString(configFile)).equals(JsonParser.parseString(
                Json.PRETTY.toJson(config)))) {
            throw new IllegalArgumentException("cannot resume: the student in " + configFile + " differs from "
                    + Json.LINE.toJson(config));
        }
        JsonObject saved = JsonParser.parseString(Files.readString(parametersFile)).getAsJsonObject();
        JsonObject now = JsonParser.parseString(Json.PRETTY.toJson(settings)).getAsJsonObject();
        for (String group : now.keySet()) {
            JsonElement was = saved.get(group);
            JsonElement is = now.get(group);
            if (is.isJsonObject() && was != null && was.isJsonObject()) {
                for (String key : is.getAsJsonObject().keySet()) {
                    JsonElement before = was.getAsJsonObject().get(key);
                    if (!is.getAsJsonObject().get(key).equals(before)) {
                        throw new IllegalArgumentException("cannot resume: " + key + " was " + before
                                + " in this run, now " + is.getAsJsonObject().get(key));
                    }
                }
            } else if (!is.equals(was == null ? JsonNull.INSTANCE : was)) {
                throw new IllegalArgumentException("cannot resume: " + group + " was " + was + " in this run, now "
                        + is);
            }
        }
    }

    public void writeConfig(StudentConfig config) throws IOException {
        AtomicFiles.writeString(root.resolve("config.json"), Json.PRETTY.toJson(config));
    }

    /** Writes {@code parameters.json}: the run's settings by group, and the data it trains and validates on. */
    public void writeParameters(Map<String, Object> settings, Dataset train, Dataset validation)
            throws IOException {
        Map<String, Object> p = new LinkedHashMap<>(settings);
        p.put("train_data", Map.of("source", train.source(), "examples", train.size(), "labels", train.labelNames(),
                "fingerprint", fingerprint(train)));
        p.put("validation_data", Map.of("source", validation.source(), "examples", validation.size()));
        AtomicFiles.writeString(root.resolve("parameters.json"), Json.PRETTY.toJson(p));
    }

    /**
     * SHA-256 over the examples (text, pair, label name, in order; an unlabelled example's label is empty): the
     * data's identity for provenance and caching.
     */
    public static String fingerprint(Dataset data) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            for (org.distillery.student.data.Example e : data.examples()) {
                String label = e.labelled() ? data.labelNames().get(e.label()) : "";
                digest.update((e.text() + "\t" + e.pair() + "\t" + label + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return "sha256:" + java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The student architecture of an existing run. */
    public StudentConfig readConfig() throws IOException {
        Path file = root.resolve("config.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a run directory: " + root + " has no config.json");
        }
        try {
            return Json.PRETTY.fromJson(Files.readString(file), StudentConfig.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The text of parameters.json, or "{}" when absent. */
    public String readParametersText() throws IOException {
        Path file = root.resolve("parameters.json");
        return Files.isRegularFile(file) ? Files.readString(file) : "{}";
    }

    /**
     * A trained student of this run, with the weights saved as {@code checkpoints/NAME.params}.
     *
     * @throws IllegalArgumentException when the run or the weights are missing
     */
    public AbstractBlock loadStudent(String name, StudentConfig config, ai.djl.ndarray.NDManager manager)
            throws IOException {
        Path weights = root.resolve("checkpoints").resolve(name + ".params");
        if (!Files.isRegularFile(weights)) {
            throw new IllegalArgumentException("no checkpoint in " + root + ": checkpoints/" + name
                    + ".params is missing (train first" + ("best".equals(name) ? ", or use --weights final)" : ")"));
        }
        AbstractBlock student = org.distillery.student.model.Students.create(config, manager);
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(
                Files.newInputStream(weights)))) {
            student.loadParameters(manager, in);
        } catch (ai.djl.MalformedModelException | RuntimeException e) {
            throw new IllegalArgumentException("cannot load " + weights + " into the student of config.json: "
                    + e.getMessage(), e);
        }
        return student;
    }

    /** Adds one line of metrics; the file is rewritten whole, atomically. */
    public void appendMetrics(Map<String, Double> metrics) throws IOException {
        metricLines.add(Json.LINE.toJson(metrics));
        AtomicFiles.writeString(root.resolve("metrics.jsonl"), String.join("\n", metricLines) + "\n");
    }

    /** The lines written to metrics.jsonl so far. */
    public List<String> metricLines() {
        return List.copyOf(metricLines);
    }

    /** Takes up the metric lines of a resumed run. */
    public void restoreMetrics(List<String> lines) throws IOException {
        metricLines.clear();
        metricLines.addAll(lines);
        AtomicFiles.writeString(root.resolve("metrics.jsonl"), lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
    }

    /** Where the resumable state lives. */
    public Path lastCheckpoint() {
        return root.resolve("checkpoints").resolve("last.ckpt");
    }

    /** Saves the student's weights as {@code checkpoints/NAME.params}. */
    public void saveWeights(AbstractBlock student, String name) throws IOException {
        AtomicFiles.write(root.resolve("checkpoints").resolve(name + ".params"), out -> {
            DataOutputStream data = new DataOutputStream(out);
            student.saveParameters(data);
            data.flush();
        });
    }
}
