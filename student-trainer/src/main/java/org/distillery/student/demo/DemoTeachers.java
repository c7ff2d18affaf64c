package org.distillery.student.demo;

import ai.djl.ndarray.NDManager;
import org.distillery.common.io.Json;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.student.data.Dataset;
import org.distillery.student.export.RunExporter;
import org.distillery.student.model.StudentConfig;
import org.distillery.student.options.ObjectiveOptions;
import org.distillery.student.options.OptimizerOptions;
import org.distillery.student.options.RunOptions;
import org.distillery.student.train.RunDirectory;
import org.distillery.student.train.TrainResult;
import org.distillery.student.train.Trainer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ensemble's members: each trained here on every training label and exported, once per configuration, seed,
 * tokenizer and data; later runs find it in the cache ({@code CACHE/teachers/KEY/teacher.onnx}).
 */
final class DemoTeachers {
    private final DemoPreset preset;
    private final Path out;
    private final Path cache;
    private final boolean progress;

    DemoTeachers(DemoPreset preset, Path out, Path cache, boolean progress) {
        this.preset = preset;
        this.out = out;
        this.cache = cache;
        this.progress = progress;
    }

    /** Member name → its ONNX file, trained and exported when not cached. */
    Map<String, Path> members(Dataset train, Dataset validation, PaddedTokenizer tokenizer, Path tokenizerFile)
            throws Exception {
        Map<String, Path> files = new LinkedHashMap<>();
        for (DemoPreset.Member member : preset.teachers()) {
            files.put(member.name(), member(member, train, validation, tokenizer, tokenizerFile));
        }
        return files;
    }

    private Path member(DemoPreset.Member member, Dataset train, Dataset validation, PaddedTokenizer tokenizer,
                        Path tokenizerFile) throws Exception {
        StudentConfig config = preset.teacher(member).config(tokenizer.vocabularySize(), train.labelCount());
        OptimizerOptions optimizer = preset.teacherOptimizer(member);
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("config", config);
        identity.put("optimizer", optimizer);
        identity.put("train", RunDirectory.fingerprint(train));
        identity.put("validation", RunDirectory.fingerprint(validation));
        identity.put("tokenizer", sha256(Files.readAllBytes(tokenizerFile)));
        String key = sha256(Json.LINE.toJson(identity).getBytes(StandardCharsets.UTF_8));
        Path cached = cache.resolve("teachers").resolve(key.substring(0, 16)).resolve("teacher.onnx");
        if (Files.isRegularFile(cached)) {
            System.out.printf("  %s (%d layers x %d, seed %d): cached%n", member.name(), member.layers(),
                    member.hidden(), member.seed());
            return cached;
        }
        Path run = out.resolve("teachers").resolve(member.name());
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            TrainResult result = Trainer.builder(config, optimizer, ObjectiveOptions.LABELS_ONLY, tokenizer)
                    .run(RunOptions.in(run).withProgress(progress)).build().train(train, validation, manager);
            System.out.printf("  %s (%d layers x %d, seed %d): %d steps in %.1f s, validation accuracy %.4f%n",
                    member.name(), member.layers(), member.hidden(), member.seed(), result.steps(),
                    result.seconds(), result.lastMetrics().get("accuracy"));
        }
        Path exported = out.resolve("teachers").resolve(member.name() + ".onnx");
        DemoPipeline.exported(RunExporter.export(run, RunExporter.Weights.BEST, exported), exported);
        Files.createDirectories(cached.getParent());
        Path partial = cached.resolveSibling("teacher.onnx.tmp");
        Files.copy(exported, partial, StandardCopyOption.REPLACE_EXISTING);
        Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return cached;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
