/**
 * The student trainer: trains a small DJL (PyTorch engine) student by distillation from a teacher server.
 * The module is a compiling skeleton until the student-trainer issue fills it.
 */
package org.distillery.student;
