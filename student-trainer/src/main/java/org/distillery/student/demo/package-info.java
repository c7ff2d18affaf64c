/**
 * The one-command demo: a teacher ensemble trained here and served by a separate process, students with and
 * without distillation over several seeds in the transfer-set (few labels) or full-label scenario, export, benchmark
 * and report.
 */
package org.distillery.student.demo;
