/** The {@code teacher-server} command line: serving and the benchmark subcommand. */
package org.distillery.teacher.cli;
