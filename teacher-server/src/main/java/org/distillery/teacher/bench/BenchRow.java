package org.distillery.teacher.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured configuration.
 *
 * @param examplesPerSecond examples answered per second of wall time
 * @param p50Ms             median latency of one call (a batch or a single example)
 * @param p99Ms             99th percentile latency
 * @param calls             calls measured
 * @param meanBatch         mean examples per ONNX Runtime run while measuring
 */
record BenchRow(String name, double examplesPerSecond, double p50Ms, double p99Ms, long calls, double meanBatch) {
    /** The row as written to the benchmark JSON, with snake_case keys in a fixed order. */
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("examples_per_second", examplesPerSecond);
        json.put("p50_ms", p50Ms);
        json.put("p99_ms", p99Ms);
        json.put("calls", calls);
        json.put("mean_batch", meanBatch);
        return json;
    }
}
