package org.distillery.student.options;

/** Argument checks shared by the option records; each message names the option, the rule and the value given. */
final class Checks {
    private Checks() {
    }

    static void atLeast(String option, long min, long value) {
        if (value < min) {
            throw new IllegalArgumentException(option + " must be >= " + min + ", got " + value);
        }
    }

    static void nonNegative(String option, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be finite and >= 0, got " + value);
        }
    }

    static void positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(option + " must be finite and > 0, got " + value);
        }
    }

    static void fraction(String option, double value) {
        if (!(value >= 0 && value <= 1)) {
            throw new IllegalArgumentException(option + " must be in [0, 1], got " + value);
        }
    }
}
