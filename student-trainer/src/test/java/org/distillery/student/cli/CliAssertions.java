package org.distillery.student.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** What every CLI test expects of bad input: exit code 2 and one line without a stack trace. */
final class CliAssertions {
    private CliAssertions() {
    }

    /** Runs the command line, asserts it failed as a user error in one line, and returns that line. */
    static String failsInOneLine(String... args) {
        StringWriter err = new StringWriter();
        int code = StudentTrainerMain.execute(new PrintWriter(err, true), args);
        String text = err.toString().trim();
        assertEquals(2, code, text);
        assertFalse(text.contains("\tat "), "no stack trace: " + text);
        assertEquals(1, text.lines().count(), text);
        return text;
    }
}
