package org.distillery.student.cli;

import org.distillery.student.data.TinySentiment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train-teacher --task mlm} end to end on a corpus file (its export served-ready, the binarized corpus
 * cached for the next run), a resumed run, and every bad masked-LM option: one clear line, exit 2.
 */
@Timeout(300)
class MlmCommandTest {
    @TempDir
    Path dir;

    private Path corpus() throws Exception {
        List<String> sentences = TinySentiment.make(200, 4).examples().stream().map(e -> e.text()).toList();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i + 5 <= sentences.size(); i += 5) {
            lines.add(String.join(" ", sentences.subList(i, i + 5)));
        }
        Path file = dir.resolve("corpus.txt");
        Files.write(file, lines);
        return file;
    }

    private String[] teacherArgs(Path corpus, String run, String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("train-teacher", "--task", "mlm", "--train", corpus.toString(),
                "--tokenizer", TinySentiment.writeTokenizer(dir.resolve("tokenizer.json")).toString(),
                "--cache-dir", dir.resolve("cache").toString(), "--layers", "2", "--hidden", "16", "--heads", "2",
                "--intermediate", "32", "--max-length", "24", "--epochs", "2", "--batch-size", "8",
                "--run-dir", dir.resolve(run).toString(), "--out", dir.resolve(run + ".onnx").toString(),
                "--no-progress"));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String run(String... args) {
        StringWriter err = new StringWriter();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(bytes, true));
        try {
            int code = StudentTrainerMain.execute(new PrintWriter(err, true), args);
            assertEquals(0, code, err.toString());
        } finally {
            System.setOut(old);
        }
        return bytes.toString();
    }

    @Test
    void trainsAndExportsAMaskedLmTeacherAndCachesTheBinarizedCorpus() throws Exception {
        Path corpus = corpus();
        String first = run(teacherArgs(corpus, "t1"));
        assertTrue(first.contains("masked-LM teacher exported to") && !first.contains("from the cache"), first);
        assertTrue(Files.isRegularFile(dir.resolve("t1.onnx")));
        for (String f : List.of("config.json", "parameters.json", "metrics.jsonl", "checkpoints/epoch-1.params",
                "checkpoints/epoch-2.params", "checkpoints/last.ckpt")) {
            assertTrue(Files.isRegularFile(dir.resolve("t1").resolve(f)), f);
        }
        String second = run(teacherArgs(corpus, "t2"));
        assertTrue(second.contains("binarized corpus from the cache"), second);
        // a student distils nothing without a teacher but trains on its MLM loss alone from the teacher's layers
        String student = run("train", "--task", "mlm", "--train", corpus.toString(), "--tokenizer",
                dir.resolve("tokenizer.json").toString(), "--cache-dir", dir.resolve("cache").toString(),
                "--layers", "1", "--hidden", "16", "--heads", "2", "--intermediate", "32", "--max-length", "24",
                "--epochs", "1", "--batch-size", "8", "--alpha-ce", "0", "--alpha-cos", "0",
                "--init-from-teacher", dir.resolve("t1.onnx").toString(), "--run-dir", dir.resolve("s").toString(),
                "--no-progress");
        assertTrue(student.contains("masked-LM loss only"), student);
    }

    @Test
    void aResumedRunEndsWithTheSameWeightsAndMetrics() throws Exception {
        Path corpus = corpus();
        String tokenizer = TinySentiment.writeTokenizer(dir.resolve("tokenizer.json")).toString();
        List<String> common = List.of("train", "--task", "mlm", "--train", corpus.toString(), "--tokenizer",
                tokenizer, "--cache-dir", dir.resolve("cache").toString(), "--layers", "1", "--hidden", "16",
                "--heads", "2", "--intermediate", "32", "--max-length", "24", "--epochs", "30", "--batch-size", "8",
                "--alpha-ce", "0", "--alpha-cos", "0", "--no-progress");
        List<String> full = new ArrayList<>(common);
        full.addAll(List.of("--run-dir", dir.resolve("full").toString()));
        run(full.toArray(String[]::new));
        List<String> cut = new ArrayList<>(common);
        cut.addAll(List.of("--run-dir", dir.resolve("cut").toString()));
        List<String> first = new ArrayList<>(cut);
        first.addAll(List.of("--time-limit-s", "0.3"));
        run(first.toArray(String[]::new));
        cut.add("--resume");
        run(cut.toArray(String[]::new));
        assertEquals(Files.readAllLines(dir.resolve("full").resolve("metrics.jsonl")),
                Files.readAllLines(dir.resolve("cut").resolve("metrics.jsonl")));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("full/checkpoints/final.params")),
                Files.readAllBytes(dir.resolve("cut/checkpoints/final.params"))), "bit-identical final weights");
    }

    @Test
    void badMaskedLmOptionsFailInOneLine() throws Exception {
        Path corpus = corpus();
        String task = CliAssertions.failsInOneLine("train", "--task", "nope", "--train", corpus.toString(),
                "--run-dir", dir.resolve("x").toString());
        assertTrue(task.contains("--task must be classify or mlm, got 'nope'"), task);
        String clm = CliAssertions.failsInOneLine("train", "--task", "mlm", "--train", corpus.toString(),
                "--alpha-clm", "0.5", "--run-dir", dir.resolve("y").toString());
        assertTrue(clm.contains("--alpha-clm must be 0") && clm.contains("out of scope"), clm);
        String logits = CliAssertions.failsInOneLine("train", "--task", "mlm", "--train", corpus.toString(),
                "--teacher-logits", "nearest:4", "--run-dir", dir.resolve("z").toString());
        assertTrue(logits.contains("--teacher-logits must be topk:K, sample:K, topk:K+tail:S or dense, got 'nearest:4'"), logits);
        String k = CliAssertions.failsInOneLine("train", "--task", "mlm", "--train", corpus.toString(),
                "--teacher-logits", "topk:x", "--run-dir", dir.resolve("w").toString());
        assertTrue(k.contains("needs a whole number K, got 'x'"), k);
        String zero = CliAssertions.failsInOneLine("train", "--task", "mlm", "--train", corpus.toString(),
                "--teacher-logits", "sample:0", "--run-dir", dir.resolve("v").toString());
        assertTrue(zero.contains("K must be in [1, 65536], got 0"), zero);
        String noTeacher = CliAssertions.failsInOneLine("train", "--task", "mlm", "--train", corpus.toString(),
                "--tokenizer", TinySentiment.writeTokenizer(dir.resolve("tok.json")).toString(),
                "--cache-dir", dir.resolve("cache").toString(), "--max-length", "24",
                "--run-dir", dir.resolve("u").toString(), "--no-progress");
        assertTrue(noTeacher.contains("need a teacher"), noTeacher);
        String missing = CliAssertions.failsInOneLine("train", "--task", "mlm", "--train",
                dir.resolve("absent.txt").toString(), "--tokenizer", dir.resolve("tok.json").toString(),
                "--run-dir", dir.resolve("t").toString());
        assertTrue(missing.contains("corpus file not found"), missing);
    }
}
