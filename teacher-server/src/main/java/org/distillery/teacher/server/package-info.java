/**
 * The gRPC teacher service: the endpoints a request can name (a served model or an ensemble of them), the model
 * registry, request checks, the inference pipeline, stream flow control and the server with health and reflection.
 */
package org.distillery.teacher.server;
