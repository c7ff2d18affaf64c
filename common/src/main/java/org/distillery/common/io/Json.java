package org.distillery.common.io;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;

import java.io.IOException;

/**
 * The one JSON convention of every file the project writes ({@code config.json}, {@code parameters.json},
 * {@code metrics.jsonl}, {@code report.json}, bench results): snake_case keys derived from Java field and record
 * component names, and strict JSON — a figure that is not finite is written as {@code null}, never as NaN.
 */
public final class Json {
    /** Indented, for files people read. */
    public static final Gson PRETTY = builder().setPrettyPrinting().create();
    /** One line per value, for JSON Lines. */
    public static final Gson LINE = builder().create();

    private Json() {
    }

    private static GsonBuilder builder() {
        return new GsonBuilder().setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
                .serializeNulls().disableHtmlEscaping()
                .registerTypeAdapter(Double.class, new FiniteOrNull<Double>() {
                    @Override
                    Double read(double value) {
                        return value;
                    }
                })
                .registerTypeAdapter(double.class, new FiniteOrNull<Double>() {
                    @Override
                    Double read(double value) {
                        return value;
                    }
                })
                .registerTypeAdapter(Float.class, new FiniteOrNull<Float>() {
                    @Override
                    Float read(double value) {
                        return (float) value;
                    }
                })
                .registerTypeAdapter(float.class, new FiniteOrNull<Float>() {
                    @Override
                    Float read(double value) {
                        return (float) value;
                    }
                });
    }

    /** Writes a non-finite number as null; reads null back as NaN. */
    private abstract static class FiniteOrNull<T extends Number> extends TypeAdapter<T> {
        abstract T read(double value);

        @Override
        public void write(JsonWriter out, T value) throws IOException {
            if (value == null || !Double.isFinite(value.doubleValue())) {
                out.nullValue();
            } else {
                // As a Number, so a float is written with Float's own shortest text (0.1f as 0.1, not as
                // 0.10000000149011612) and a double with Double's.
                out.value(value);
            }
        }

        @Override
        public T read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return read(Double.NaN);
            }
            return read(in.nextDouble());
        }
    }
}
