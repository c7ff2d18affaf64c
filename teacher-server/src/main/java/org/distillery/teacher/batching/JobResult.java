package org.distillery.teacher.batching;

import org.distillery.teacher.runtime.HostTensor;

import java.util.Map;

/**
 * One job's share of a batch run.
 *
 * @param outputs      the job's rows of each requested output, sequence axes cut back to the job's lengths
 *                     (at its positions alone, {@code [rows, ...]}, where the job has a {@link RowSelector})
 * @param queueNanos   from submission to the start of the run
 * @param computeNanos the ONNX Runtime run
 * @param batchSize    examples in the run
 */
public record JobResult(Map<String, HostTensor> outputs, long queueNanos, long computeNanos, int batchSize) {
}
