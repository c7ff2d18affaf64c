package org.distillery.teacher.bench;

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
}
