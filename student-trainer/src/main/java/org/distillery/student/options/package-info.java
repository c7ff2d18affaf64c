/**
 * The options of every command as small validated immutable records, one per concern — data, student, objective,
 * teacher link, optimizer, run — each with one place for its defaults ({@code DEFAULTS}) and enums where a choice
 * is made. The command line ({@code cli.options}) only fills them in.
 */
package org.distillery.student.options;
