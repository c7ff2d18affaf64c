/**
 * The gRPC teacher service: model registry, request checks, the inference pipeline, stream flow control and the
 * server with health and reflection.
 */
package org.distillery.teacher.server;
