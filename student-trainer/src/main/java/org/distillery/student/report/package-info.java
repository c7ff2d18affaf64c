/**
 * The demo's report: the table with each figure's spread over seeds, AutoMM's distillation ratio, the ensemble modes
 * compared, the teacher link's traffic, and per-step training curves, as {@code report.json} and a self-contained
 * {@code report.html}.
 */
package org.distillery.student.report;
