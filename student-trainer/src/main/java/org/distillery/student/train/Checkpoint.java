package org.distillery.student.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.distillery.common.io.AtomicFiles;
import org.distillery.student.loss.NativeArrays;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run needs to continue exactly where it stopped: the step, the weights (student and the objective's
 * own parameters), AdamW's step count and moments, the best validation accuracy so far, the metric lines written and
 * the epoch's running figures. Written atomically, so a crash while saving leaves the previous checkpoint whole.
 */
public record Checkpoint(int step, double bestMetric, List<String> metricLines, String figures,
                         Map<String, float[]> weights, Map<String, long[]> shapes, long optimizerStep,
                         Map<String, float[]> means, Map<String, float[]> variances) {
    private static final String MAGIC = "distillery-checkpoint";
    private static final int VERSION = 2;

    /** Captures the state of a run. */
    public static Checkpoint capture(TrainingState state, List<String> metricLines) {
        return capture(state.step(), state.bestMetric(), metricLines, state.figures().toJson(), state.parameters(),
                state.optimizer());
    }

    /** Captures the given state. */
    public static Checkpoint capture(int step, double bestMetric, List<String> metricLines, String figures,
                                     Map<String, NDArray> parameters, AdamW optimizer) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        Map<String, float[]> means = new LinkedHashMap<>();
        Map<String, float[]> variances = new LinkedHashMap<>();
        parameters.forEach((name, array) -> {
            weights.put(name, array.toFloatArray());
            shapes.put(name, array.getShape().getShape());
            NDArray m = optimizer.means().get(name);
            if (m != null) {
                means.put(name, m.toFloatArray());
                variances.put(name, optimizer.variances().get(name).toFloatArray());
            }
        });
        return new Checkpoint(step, bestMetric, List.copyOf(metricLines), figures, weights, shapes, optimizer.step(),
                means, variances);
    }

    /** Puts everything back: weights, optimizer, step, best metric, running figures and the metric lines. */
    void restoreInto(TrainingState state, RunDirectory run, NDManager manager) throws IOException {
        restore(state.parameters(), state.optimizer(), manager);
        state.step(step);
        state.bestMetric(bestMetric);
        state.figures(RunningFigures.fromJson(figures));
        run.restoreMetrics(metricLines);
    }

    /** Puts the weights and optimizer state back into live arrays. */
    public void restore(Map<String, NDArray> parameters, AdamW optimizer, NDManager manager) {
        if (!parameters.keySet().equals(weights.keySet())) {
            throw new IllegalArgumentException("the checkpoint holds parameters " + weights.keySet()
                    + " but the student has " + parameters.keySet());
        }
        parameters.forEach((name, array) -> {
            if (!java.util.Arrays.equals(array.getShape().getShape(), shapes.get(name))) {
                throw new IllegalArgumentException("checkpoint parameter '" + name + "' has shape "
                        + java.util.Arrays.toString(shapes.get(name)) + ", the student's is " + array.getShape());
            }
            // Written in place through a detached view that shares the parameter's storage (set() on a view would
            // give the view new storage and leave the parameter as it was).
            try (NDManager scratch = manager.newSubManager()) {
                NDArray view = array.stopGradient();
                view.attach(scratch);
                NDArray saved = NativeArrays.copy(scratch, weights.get(name), new Shape(shapes.get(name)));
                view.subi(view).addi(saved);
            }
            if (means.containsKey(name)) {
                optimizer.means().put(name, NativeArrays.copy(manager, means.get(name), new Shape(shapes.get(name))));
                optimizer.variances().put(name, NativeArrays.copy(manager, variances.get(name),
                        new Shape(shapes.get(name))));
            }
        });
        optimizer.restoreStep(optimizerStep);
    }

    public void save(Path file) throws IOException {
        AtomicFiles.write(file, raw -> {
            DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(raw));
            out.writeUTF(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(step);
            out.writeDouble(bestMetric);
            out.writeInt(metricLines.size());
            for (String line : metricLines) {
                out.writeUTF(line);
            }
            out.writeUTF(figures);
            out.writeLong(optimizerStep);
            writeTensors(out, weights, shapes);
            writeTensors(out, means, shapes);
            writeTensors(out, variances, shapes);
            out.flush();
        });
    }

    private static void writeTensors(DataOutputStream out, Map<String, float[]> values, Map<String, long[]> shapes)
            throws IOException {
        out.writeInt(values.size());
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            out.writeUTF(e.getKey());
            long[] shape = shapes.get(e.getKey());
            out.writeInt(shape.length);
            for (long d : shape) {
                out.writeLong(d);
            }
            out.writeInt(e.getValue().length);
            for (float v : e.getValue()) {
                out.writeFloat(v);
            }
        }
    }

    /**
     * Reads a checkpoint.
     *
     * @throws IOException when the file is missing, truncated or not a checkpoint
     */
    public static Checkpoint load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("no checkpoint at " + file);
        }
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
             DataInputStream in = new DataInputStream(raw)) {
            if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) {
                throw new IOException(file + " is not a distillery checkpoint of version " + VERSION);
            }
            int step = in.readInt();
            double best = in.readDouble();
            int lines = in.readInt();
            List<String> metricLines = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                metricLines.add(in.readUTF());
            }
            String figures = in.readUTF();
            long optimizerStep = in.readLong();
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, float[]> weights = readTensors(in, shapes);
            Map<String, float[]> means = readTensors(in, shapes);
            Map<String, float[]> variances = readTensors(in, shapes);
            return new Checkpoint(step, best, metricLines, figures, weights, shapes, optimizerStep, means,
                    variances);
        } catch (java.io.EOFException e) {
            throw new IOException(file + " is truncated", e);
        }
    }

    private static Map<String, float[]> readTensors(DataInputStream in, Map<String, long[]> shapes)
            throws IOException {
        int count = in.readInt();
        Map<String, float[]> values = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUTF();
            long[] shape = new long[in.readInt()];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = in.readLong();
            }
            float[] data = new float[in.readInt()];
            for (int j = 0; j < data.length; j++) {
                data[j] = in.readFloat();
            }
            shapes.put(name, shape);
            values.put(name, data);
        }
        return values;
    }
}
