package org.distillery.student.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch eager side of {@link StudentStepBenchmark}: the reference script {@code student_step.py} (shipped in
 * this package) in a Python process that stays up between rounds, timing as many steps as it is asked for.
 * Needs a Python that imports torch; Debian's {@code python3-torch} wants {@code libopenblas0-pthread} beside it, or
 * torch falls back to a reference BLAS several times slower ({@link #blas()} names what it loaded).
 */
public final class TorchReference implements AutoCloseable {
    /** The script, a resource of this package. */
    public static final String SCRIPT = "student_step.py";
    /** Interpreters tried in turn when none is named: the one on the PATH, then the system's. */
    public static final List<String> CANDIDATES = List.of("python3", "/usr/bin/python3");
    /** How to get torch, for messages. */
    public static final String INSTALL_HINT = "apt-get install python3-torch libopenblas0-pthread, or pip install "
            + "torch";

    private final String python;
    private final Path script;
    private Process process;
    private BufferedReader answers;
    private Writer requests;
    private Path errors;
    private String version;
    private List<String> blas = List.of();
    private long parameters;

    private TorchReference(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /**
     * A reference run by {@code python}, or by the first of {@link #CANDIDATES} that imports torch when
     * {@code python} is null; empty when none does. The script is written into {@code workDir}.
     */
    public static Optional<TorchReference> find(String python, Path workDir) throws IOException {
        for (String candidate : python != null ? List.of(python) : CANDIDATES) {
            if (importsTorch(candidate)) {
                return Optional.of(new TorchReference(candidate, writeScript(workDir)));
            }
        }
        return Optional.empty();
    }

    /** True when {@code python -c "import torch"} succeeds within two minutes. */
    public static boolean importsTorch(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import torch")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes the reference script into {@code dir}; returns its path. */
    public static Path writeScript(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(SCRIPT);
        try (InputStream in = TorchReference.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IOException("the build carries no " + SCRIPT + " beside " + TorchReference.class.getName());
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    /** The interpreter that runs the script. */
    public String python() {
        return python;
    }

    /** The script's path. */
    public Path script() {
        return script;
    }

    /** Starts the script for {@code sizes} and waits until its warm-up is done. */
    void start(StudentStepBenchmark sizes) throws IOException {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(sizes.scriptArguments());
        command.add("--serve");
        errors = Files.createTempFile(script.getParent(), "student_step", ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(errors.toFile());
        // Threads are the script's to set; keep OpenMP and BLAS from starting more on their own.
        String threads = Integer.toString(sizes.threads());
        builder.environment().put("OMP_NUM_THREADS", threads);
        builder.environment().put("OPENBLAS_NUM_THREADS", threads);
        builder.environment().put("MKL_NUM_THREADS", threads);
        process = builder.start();
        answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        JsonObject ready = answer();
        version = ready.get("torch_version").getAsString();
        parameters = ready.get("parameters").getAsLong();
        List<String> libraries = new ArrayList<>();
        ready.getAsJsonArray("blas").forEach(e -> libraries.add(e.getAsString()));
        blas = List.copyOf(libraries);
    }

    /** Times {@code steps} steps; examples per second. */
    double time(int steps) throws IOException {
        requests.write(steps + "\n");
        requests.flush();
        return answer().get("examples_per_second").getAsDouble();
    }

    private JsonObject answer() throws IOException {
        String line = answers.readLine();
        if (line == null) {
            String why = "";
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                why = Files.readString(errors, StandardCharsets.UTF_8).strip();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("the PyTorch reference (" + python + " " + script.getFileName() + ") ended"
                    + (process.isAlive() ? "" : " with exit code " + process.exitValue())
                    + (why.isEmpty() ? "" : ": " + why.lines().reduce((a, b) -> b).orElse(why)));
        }
        return JsonParser.parseString(line).getAsJsonObject();
    }

    /** The torch version the script reported (null before {@link #start}). */
    public String version() {
        return version;
    }

    /** The number of values in the reference model's parameters (0 before {@link #start}). */
    public long parameters() {
        return parameters;
    }

    /** The BLAS libraries the Python process loaded (file names). */
    public List<String> blas() {
        return blas;
    }

    /** True when the BLAS is an optimized one (OpenBLAS, MKL, BLIS), as far as the loaded libraries tell. */
    public boolean optimizedBlas() {
        return blas.stream().anyMatch(n -> n.contains("openblas") || n.contains("mkl") || n.contains("blis"));
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        try {
            requests.close(); // end of input: the script exits
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try {
                Files.deleteIfExists(errors);
            } catch (IOException ignored) {
                // a leftover log in the work directory
            }
        }
    }
}
