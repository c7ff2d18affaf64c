/** Dynamic batching: a bounded queue and a worker per model that merges requests into one ONNX Runtime run. */
package org.distillery.teacher.batching;
