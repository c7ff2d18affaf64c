/**
 * The trainer's Prometheus metrics ({@code distillery_trainer_*}): steps, skipped steps, examples per second, time
 * waited for the teacher, agreement and KL with the teacher on the latest distilled batch, and the link to the
 * teacher fleet (requests, answers and their latency, failed streams, resends, requests in flight).
 */
package org.distillery.student.metrics;
