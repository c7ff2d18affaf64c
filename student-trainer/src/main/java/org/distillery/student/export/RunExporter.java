package org.distillery.student.export;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.train.RunDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Exports the student of a run directory to ONNX with its provenance (architecture, hyperparameters, data
 * fingerprint, build versions) and the exporter's parity check.
 */
public final class RunExporter {
    private RunExporter() {
    }

    /** Which saved weights to export. */
    public enum Weights {
        /** The best validation accuracy. */
        BEST,
        /** The end of training. */
        FINAL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Writes {@code out}.
     *
     * @throws IllegalArgumentException when the run or its weights are missing
     */
    public static OnnxStudentExporter.Parity export(Path runDir, Weights weights, Path out) throws IOException {
        if (!Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("run directory not found: " + runDir);
        }
        RunDirectory run = new RunDirectory(runDir);
        StudentConfig config = run.readConfig();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = run.loadStudent(weights.id(), config, manager);
            return OnnxStudentExporter.export(student, config, provenance(run), out, manager);
        }
    }

    /** Architecture, hyperparameters, data fingerprint and versions, for the model's metadata. */
    static Map<String, String> provenance(RunDirectory run) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("distillery.architecture", Files.readString(run.root().resolve("config.json")));
        String parameters = run.readParametersText();
        metadata.put("distillery.hyperparameters", parameters);
        JsonObject root = JsonParser.parseString(parameters).getAsJsonObject();
        if (root.has("train_data") && root.getAsJsonObject("train_data").has("fingerprint")) {
            metadata.put("distillery.data_fingerprint",
                    root.getAsJsonObject("train_data").get("fingerprint").getAsString());
        }
        metadata.put("distillery.versions", BuildInfo.versions());
        return metadata;
    }
}
