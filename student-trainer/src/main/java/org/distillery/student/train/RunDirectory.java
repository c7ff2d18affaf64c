package org.distillery.student.train;

import ai.djl.nn.AbstractBlock;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.distillery.common.io.AtomicFiles;
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
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .create();
    private static final Gson LINE = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final Path root;
    private final List<String> metricLines = new ArrayList<>();

    public RunDirectory(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("checkpoints"));
    }

    public Path root() {
        return root;
    }

    public void writeConfig(StudentConfig config) throws IOException {
        AtomicFiles.writeString(root.resolve("config.json"), GSON.toJson(config));
    }

    public void writeParameters(TrainingOptions options, Dataset train, Dataset validation) throws IOException {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("training", options);
        p.put("train_data", Map.of("source", train.source(), "examples", train.size(), "labels", train.labelNames()));
        p.put("validation_data", Map.of("source", validation.source(), "examples", validation.size()));
        AtomicFiles.writeString(root.resolve("parameters.json"), GSON.toJson(p));
    }

    /** Adds one line of metrics; the file is rewritten whole, atomically. */
    public void appendMetrics(Map<String, Double> metrics) throws IOException {
        metricLines.add(LINE.toJson(metrics));
        AtomicFiles.writeString(root.resolve("metrics.jsonl"), String.join("\n", metricLines) + "\n");
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
