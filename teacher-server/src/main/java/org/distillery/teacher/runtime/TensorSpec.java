package org.distillery.teacher.runtime;

import java.util.Arrays;

/**
 * A graph input or output as ONNX Runtime describes it.
 *
 * @param shape    sizes, -1 where dynamic
 * @param dimNames symbolic names, "" where none
 */
public record TensorSpec(String name, ElementType type, long[] shape, String[] dimNames) {
    public int rank() {
        return shape.length;
    }

    /** True when axis {@code i} has no fixed size. */
    public boolean dynamic(int i) {
        return shape[i] < 0;
    }

    /** The symbolic name of axis {@code i}, or "" when the graph gives none. */
    public String dimName(int i) {
        return i < dimNames.length && dimNames[i] != null ? dimNames[i] : "";
    }

    /** Readable shape, symbolic names in place of dynamic sizes: {@code [batch, sequence, 16]}. */
    public String describeShape() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i] >= 0 ? String.valueOf(shape[i]) : dimName(i).isEmpty() ? "?" : dimName(i));
        }
        return sb.append(']').toString();
    }

    @Override
    public String toString() {
        return name + " " + type + describeShape();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && s.name.equals(name) && s.type == type && Arrays.equals(s.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
