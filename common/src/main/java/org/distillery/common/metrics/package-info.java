/**
 * Serving a Prometheus registry over HTTP: what the teacher server and the trainer share for {@code --metrics-port}.
 * Each server or trainer keeps its own registry, never the process-wide default, so that several of them can live in
 * one JVM.
 */
package org.distillery.common.metrics;
