/**
 * ONNX model writing on {@code tribuo-util-onnx}: a graph writer with the operators it lacks, and the BERT-style
 * classifier graph used for test teachers, benchmarks and student export.
 */
package org.distillery.common.onnx;
