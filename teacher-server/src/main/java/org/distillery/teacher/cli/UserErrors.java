package org.distillery.teacher.cli;

import org.distillery.teacher.runtime.SessionFactory;

import java.io.IOException;
import java.io.PrintWriter;

/** Turns exceptions at the command line into one line on stderr and an exit code. */
final class UserErrors {
    private UserErrors() {
    }

    static int report(Exception e, boolean verbose, PrintWriter err) {
        if (verbose) {
            e.printStackTrace(err);
        }
        if (e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof SessionFactory.DeviceUnavailableException || e instanceof ArithmeticException) {
            err.println("teacher-server: " + e.getMessage());
            return TeacherServerMain.USAGE_ERROR;
        }
        if (e instanceof io.grpc.StatusRuntimeException) {
            io.grpc.Status s = ((io.grpc.StatusRuntimeException) e).getStatus();
            err.println("teacher-server: the server answered " + s.getCode() + ": " + s.getDescription());
            return 1;
        }
        err.println("teacher-server: unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage()
                + (verbose ? "" : " (--verbose for the stack trace)"));
        return 1;
    }
}
