package org.distillery.student.cli;

import picocli.CommandLine.Option;

/** Options every command has: how much it prints. */
public final class CommonMixin {
    @Option(names = "--no-progress", description = "No progress bars.")
    boolean noProgress;
    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    public boolean progress() {
        return !noProgress;
    }
}
