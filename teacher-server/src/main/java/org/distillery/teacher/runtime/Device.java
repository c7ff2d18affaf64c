package org.distillery.teacher.runtime;

/**
 * Where a model runs: {@code cpu}, {@code cuda:N}, or {@code auto} (CUDA device 0 when it loads, else CPU).
 *
 * @param kind     CPU, CUDA or AUTO
 * @param cudaId   the CUDA device index for CUDA and AUTO
 */
public record Device(Kind kind, int cudaId) {
    /** Device kinds. */
    public enum Kind { CPU, CUDA, AUTO }

    public static final Device CPU = new Device(Kind.CPU, 0);

    /**
     * Parses {@code cpu}, {@code auto}, {@code cuda} or {@code cuda:N}.
     *
     * @throws IllegalArgumentException with what was expected and what arrived
     */
    public static Device parse(String text) {
        String t = text.trim().toLowerCase();
        if (t.equals("cpu")) {
            return CPU;
        }
        if (t.equals("auto")) {
            return new Device(Kind.AUTO, 0);
        }
        if (t.equals("cuda")) {
            return new Device(Kind.CUDA, 0);
        }
        if (t.startsWith("cuda:")) {
            try {
                int id = Integer.parseInt(t.substring(5));
                if (id >= 0) {
                    return new Device(Kind.CUDA, id);
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("device must be cpu, auto, cuda or cuda:N (N >= 0), got '" + text + "'");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : kind == Kind.AUTO ? "auto" : "cuda:" + cudaId;
    }
}
