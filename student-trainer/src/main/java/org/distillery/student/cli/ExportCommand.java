package org.distillery.student.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.AbstractBlock;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.student.export.OnnxStudentExporter;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.train.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code student-trainer export}: a trained run's student as ONNX, checked for parity against DJL. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Exports a run's student to ONNX (opset 17) and checks parity with DJL (max |diff| <= 1e-4).")
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--run-dir", required = true, description = "A run directory written by train.")
    Path runDir;
    @Option(names = "--weights", defaultValue = "best", description = "best or final (default: ${DEFAULT-VALUE}).")
    String weights;
    @Option(names = "--out", required = true, description = "The ONNX file to write.")
    Path out;
    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        OnnxStudentExporter.Parity parity = export(runDir, weights, out);
        System.out.printf("exported %s (max |ONNX - DJL|: logits %.2e, pooled %.2e)%n", out, parity.logits(),
                parity.pooled());
        return 0;
    }

    /** Exports the student of a run; shared with the demo. */
    public static OnnxStudentExporter.Parity export(Path runDir, String weights, Path out) throws Exception {
        if (!Files.isDirectory(runDir)) {
            throw new IllegalArgumentException("run directory not found: " + runDir);
        }
        if (!weights.equals("best") && !weights.equals("final")) {
            throw new IllegalArgumentException("--weights must be best or final, got '" + weights + "'");
        }
        RunDirectory run = new RunDirectory(runDir);
        StudentConfig config = run.readConfig();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            AbstractBlock student = run.loadStudent(weights, config, manager);
            return OnnxStudentExporter.export(student, config, provenance(run), out, manager);
        }
    }

    /** Architecture, hyperparameters, data fingerprint and versions, for the model's metadata. */
    static Map<String, String> provenance(RunDirectory run) throws Exception {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("distillery.architecture", Files.readString(run.root().resolve("config.json")));
        String parameters = run.readParametersText();
        metadata.put("distillery.hyperparameters", parameters);
        JsonObject root = JsonParser.parseString(parameters).getAsJsonObject();
        if (root.has("train_data") && root.getAsJsonObject("train_data").has("fingerprint")) {
            metadata.put("distillery.data_fingerprint",
                    root.getAsJsonObject("train_data").get("fingerprint").getAsString());
        }
        metadata.put("distillery.versions", "distillery 0.1.0; djl 0.35.1 (pytorch 2.7.1); onnx opset 17");
        return metadata;
    }
}
