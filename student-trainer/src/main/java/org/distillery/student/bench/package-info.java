/** Benchmarks of the trainer that print a table of ratios measured side by side in one run, and write JSON. */
package org.distillery.student.bench;
