/**
 * Jobs assembled from options: loading a run's data and tokenizer, connecting the teacher, building the trainer.
 * The command line and the demo call these; neither holds domain logic of its own.
 */
package org.distillery.student.pipeline;
