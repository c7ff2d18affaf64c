package org.distillery.student.cli;

import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;
import org.distillery.common.text.PaddedTokenizer;
import org.distillery.proto.v1.DataType;
import org.distillery.student.bench.WireBenchmark;
import org.distillery.student.client.TeacherClient;
import org.distillery.student.client.TeacherConnection;
import org.distillery.student.loss.TeacherNeeds;
import org.distillery.student.mlm.MaskedBatch;
import org.distillery.student.mlm.MaskingOptions;
import org.distillery.student.mlm.MlmEvaluation;
import org.distillery.student.mlm.MlmMasker;
import org.distillery.student.mlm.MlmWire;
import org.distillery.student.mlm.OnnxMaskedLm;
import org.distillery.student.mlm.TeacherLogits;
import org.distillery.student.options.TeacherOptions;
import org.distillery.student.pipeline.MlmJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code student-trainer bench-wire}: see {@link WireBenchmark}. */
@Command(name = "bench-wire", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Masked-LM teacher outputs on the wire: for top-k, sampled and dense distributions at the "
                + "masked positions of held-out batches, the bytes per batch against dense fp32 and the error of the "
                + "distillation term against the dense distribution, for a given student; prints a table, writes "
                + "JSON.")
public final class WireBenchCommand implements Callable<Integer> {
    @Option(names = "--teacher", required = true, description = "Teacher server host:port (or a fleet target).")
    String target;
    @Option(names = "--teacher-model", required = true, description = "The masked LM on the server.")
    String model;
    @Option(names = "--student-onnx", required = true, description = "A masked-LM student (ONNX, output logits) "
            + "whose distribution the KL is taken against.")
    Path studentOnnx;
    @Mixin
    DataMixin data;
    @Option(names = "--max-length", description = "Tokens per sequence (default: ${DEFAULT-VALUE}).")
    int maxLength = 64;
    @Option(names = "--batch-size", description = "Sequences per batch (default: ${DEFAULT-VALUE}).")
    int batchSize = 32;
    @Option(names = "--batches", description = "Held-out batches measured (default: ${DEFAULT-VALUE}).")
    int batches = 8;
    @Option(names = "--modes", split = ",", description = "What to compare (default: ${DEFAULT-VALUE}).")
    List<String> modes = List.of("topk:8", "topk:32", "topk:128", "sample:8", "sample:32", "sample:128",
            "topk:8+tail:32", "topk:32+tail:32", "topk:128+tail:32", "dense");
    @Option(names = "--mlm-temperature", description = "Temperature of both distributions (default: "
            + "${DEFAULT-VALUE}).")
    float temperature = 2f;
    @Option(names = "--json", description = "Where the results go (default: ${DEFAULT-VALUE}).")
    Path json = Path.of("bench-results/mlm-wire-bench.json");
    @Mixin
    CommonMixin common;

    @Override
    public Integer call() throws Exception {
        List<TeacherLogits> parsed = new ArrayList<>();
        for (String m : modes) {
            parsed.add(TeacherLogits.parse(m));
        }
        Path tokenizerFile = MlmJob.tokenizerFile(data.options());
        TeacherOptions options = TeacherOptions.of(target, model);
        try (PaddedTokenizer tokenizer = PaddedTokenizer.load(tokenizerFile, maxLength, null);
             TeacherConnection connection = TeacherConnection.open(options);
             OnnxMaskedLm student = new OnnxMaskedLm(studentOnnx, "logits")) {
            MlmJob.Corpus corpus = MlmJob.corpus(data.options(), tokenizer, tokenizerFile, 0.05, 42);
            MlmMasker masker = new MlmMasker(MaskingOptions.DISTILBERT, corpus.train().counts(), corpus.special());
            List<MaskedBatch> held = MlmEvaluation.batches(corpus.heldOut().first(batches * batchSize).sequences(),
                    masker, batchSize);
            TeacherClient client = connection.client(new TeacherNeeds(true, List.of()));
            try {
                MlmWire base = new MlmWire(model, connection.inputNames(), connection.info().getLogitsOutput(), null,
                        TeacherLogits.DEFAULT, temperature, DataType.FLOAT16);
                List<WireBenchmark.Row> rows = WireBenchmark.run(client, base, held, student, parsed,
                        options.timeoutSeconds());
                System.out.printf("%d held-out batches of %d sequences x %d tokens, %d masked positions; "
                                + "temperature %.1f%n", held.size(), batchSize, maxLength,
                        held.stream().mapToInt(MaskedBatch::predicted).sum(), temperature);
                System.out.print(WireBenchmark.table(rows));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("teacher_model", model);
                out.put("student_onnx", studentOnnx.toString());
                out.put("batches", held.size());
                out.put("rows", rows);
                AtomicFiles.writeString(json, Json.PRETTY.toJson(out));
                System.out.println("written to " + json);
            } finally {
                client.close();
            }
        }
        return 0;
    }
}
