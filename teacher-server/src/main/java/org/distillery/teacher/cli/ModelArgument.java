package org.distillery.teacher.cli;

import java.nio.file.Path;

/**
 * {@code --model NAME=PATH.onnx[,tokenizer=PATH.json][,pad_id=N][,max_length=N]}.
 *
 * @param padId     null when not given
 * @param maxLength null when not given
 */
public record ModelArgument(String name, Path onnx, Path tokenizer, Long padId, Integer maxLength) {
    static final String FORMAT = "NAME=PATH.onnx[,tokenizer=PATH.json][,pad_id=N][,max_length=N]";

    /** Parses the option value; the message of the exception says what was expected. */
    public static ModelArgument parse(String text) {
        int eq = text.indexOf('=');
        if (eq <= 0 || eq == text.length() - 1) {
            throw new IllegalArgumentException("--model expects " + FORMAT + ", got '" + text + "'");
        }
        String name = text.substring(0, eq).trim();
        String[] parts = text.substring(eq + 1).split(",");
        Path onnx = Path.of(parts[0].trim());
        Path tokenizer = null;
        Long padId = null;
        Integer maxLength = null;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int kv = part.indexOf('=');
            String key = kv < 0 ? part : part.substring(0, kv);
            String value = kv < 0 ? "" : part.substring(kv + 1);
            if (value.isEmpty()) {
                throw new IllegalArgumentException("--model " + name + ": option '" + part + "' has no value; "
                        + "expected " + FORMAT);
            }
            switch (key) {
                case "tokenizer":
                    tokenizer = Path.of(value);
                    break;
                case "pad_id":
                    padId = parseLong(name, key, value);
                    break;
                case "max_length":
                    maxLength = (int) parseLong(name, key, value);
                    break;
                default:
                    throw new IllegalArgumentException("--model " + name + ": unknown option '" + key
                            + "'; expected " + FORMAT);
            }
        }
        return new ModelArgument(name, onnx, tokenizer, padId, maxLength);
    }

    private static long parseLong(String model, String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--model " + model + ": " + key + " must be an integer, got '"
                    + value + "'");
        }
    }
}
