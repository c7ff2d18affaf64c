package org.distillery.teacher.runtime;

import ai.onnx.proto.OnnxMl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a graph's integer inputs may hold, read from the graph itself: an input that indexes an embedding table
 * (a {@code Gather} on a 2-d initializer, directly or through casts and reshapes) must lie in {@code [0, rows)}, and
 * a graph with a position table ({@code *position_embeddings*}) takes sequences of at most its rows (two fewer when
 * positions are counted from the mask with a padding offset, as RoBERTa does). Values past a table make ONNX
 * Runtime fail or, for negative ids, silently read another row; the server refuses them instead.
 *
 * @param tables      for each bounded input, the table it indexes: its name and rows
 * @param maxSequence longest sequence the position table allows, 0 when the graph has none
 * @param positions   the position table's name, or null
 */
public record InputBounds(Map<String, Table> tables, long maxSequence, String positions) {
    /** No bounds known. */
    public static final InputBounds NONE = new InputBounds(Map.of(), 0, null);

    /** An embedding table an input indexes. */
    public record Table(String initializer, long rows) {
    }

    /** Operators that pass index values through unchanged. */
    private static final Set<String> PASS_THROUGH = Set.of("Cast", "Identity", "Reshape", "Unsqueeze", "Squeeze",
            "Flatten");

    /**
     * Reads the bounds of {@code inputs} from the ONNX file.
     *
     * @throws IOException when the file cannot be read as an ONNX model
     */
    public static InputBounds read(Path onnx, Set<String> inputs) throws IOException {
        OnnxMl.GraphProto graph;
        try (InputStream in = Files.newInputStream(onnx)) {
            graph = OnnxMl.ModelProto.parseFrom(in).getGraph();
        }
        Map<String, long[]> initializers = new HashMap<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            long[] dims = new long[t.getDimsCount()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = t.getDims(i);
            }
            initializers.put(t.getName(), dims);
        }
        // Which graph input each value comes from, following operators that keep index values as they are.
        Map<String, String> origin = new HashMap<>();
        inputs.forEach(name -> origin.put(name, name));
        boolean countsPositions = false;
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            countsPositions |= node.getOpType().equals("CumSum");
            if (PASS_THROUGH.contains(node.getOpType()) && node.getInputCount() > 0
                    && origin.containsKey(node.getInput(0))) {
                node.getOutputList().forEach(out -> origin.put(out, origin.get(node.getInput(0))));
            }
        }
        Map<String, Table> tables = new LinkedHashMap<>();
        for (OnnxMl.NodeProto node : graph.getNodeList()) {
            if (!node.getOpType().equals("Gather") || node.getInputCount() < 2) {
                continue;
            }
            long[] dims = initializers.get(node.getInput(0));
            String input = origin.get(node.getInput(1));
            if (dims == null || dims.length != 2 || input == null || dims[0] < 1) {
                continue;
            }
            Table seen = tables.get(input);
            if (seen == null || dims[0] < seen.rows()) {
                tables.put(input, new Table(node.getInput(0), dims[0]));
            }
        }
        long maxSequence = 0;
        String positions = null;
        for (Map.Entry<String, long[]> e : initializers.entrySet()) {
            if (e.getKey().contains("position_embeddings") && e.getValue().length == 2) {
                long rows = countsPositions ? e.getValue()[0] - 2 : e.getValue()[0];
                if (rows > 0 && (maxSequence == 0 || rows < maxSequence)) {
                    maxSequence = rows;
                    positions = e.getKey();
                }
            }
        }
        return new InputBounds(Collections.unmodifiableMap(tables), maxSequence, positions);
    }

    /** The same bounds with the sequence limited to {@code maxLength} too (0: no extra limit). */
    public InputBounds limitSequence(long maxLength) {
        if (maxLength <= 0 || (maxSequence > 0 && maxSequence <= maxLength)) {
            return this;
        }
        return new InputBounds(tables, maxLength, null);
    }
}
