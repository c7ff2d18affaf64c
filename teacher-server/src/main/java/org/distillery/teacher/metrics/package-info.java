/**
 * The teacher server's Prometheus metrics ({@code distillery_teacher_*}): requests by model and status code,
 * examples served, queue wait, compute time and batch size per merged run, queue depth and open streams.
 */
package org.distillery.teacher.metrics;
