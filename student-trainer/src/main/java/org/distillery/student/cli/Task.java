package org.distillery.student.cli;

import java.util.Locale;

/** What a run trains: a classifier on labels, or a masked LM on a text corpus. */
enum Task {
    CLASSIFY, MLM;

    /** @throws IllegalArgumentException saying what is expected and what arrived */
    static Task parse(String text) {
        return switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
            case "classify" -> CLASSIFY;
            case "mlm" -> MLM;
            default -> throw new IllegalArgumentException("--task must be classify or mlm, got '" + text + "'");
        };
    }
}
