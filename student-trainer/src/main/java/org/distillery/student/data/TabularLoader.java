package org.distillery.student.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads JSONL, CSV and TSV files (GLUE, PAWS-X and the like) with a column mapping. Labels that are all integers
 * are used as ids; otherwise the distinct strings, sorted, become ids 0..n-1 unless the caller fixes the label names.
 * TSV is read without quoting, as GLUE's files need.
 */
public final class TabularLoader {
    private TabularLoader() {
    }

    /** Row values by column name, with the 1-based line number for messages. */
    private record Row(int line, Map<String, String> values) {
    }

    /**
     * @param labelNames fixed label names (e.g. those of the training split), or null to infer them
     * @throws DataException for a missing or empty file, an unknown column, or a label out of range
     */
    public static Dataset load(Path file, ColumnMapping columns, List<String> labelNames) {
        if (!Files.isRegularFile(file)) {
            throw new DataException("dataset file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        List<Row> rows;
        List<String> header;
        try {
            if (name.endsWith(".jsonl") || name.endsWith(".json")) {
                rows = readJsonLines(file);
                header = rows.isEmpty() ? List.of() : new ArrayList<>(rows.get(0).values().keySet());
            } else if (name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt")) {
                CSVFormat format = name.endsWith(".csv") ? CSVFormat.RFC4180.builder().setHeader()
                        .setSkipHeaderRecord(true).build()
                        : CSVFormat.TDF.builder().setQuote(null).setHeader().setSkipHeaderRecord(true)
                        .setIgnoreSurroundingSpaces(false).setTrim(false).build();
                rows = new ArrayList<>();
                try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                     CSVParser parser = format.parse(reader)) {
                    header = parser.getHeaderNames();
                    for (CSVRecord record : parser) {
                        Map<String, String> values = new LinkedHashMap<>();
                        for (String h : header) {
                            values.put(h, record.isSet(h) ? record.get(h) : null);
                        }
                        rows.add(new Row((int) record.getRecordNumber() + 1, values));
                    }
                }
            } else {
                throw new DataException("dataset " + file + ": unknown format; expected a .jsonl, .csv or .tsv file");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof DataException) {
                throw (DataException) e;
            }
            throw new DataException("dataset " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new DataException("dataset " + file + " is empty: no examples after the header");
        }
        for (String column : new String[]{columns.textColumn(), columns.pairColumn(), columns.labelColumn()}) {
            if (column != null && !header.contains(column)) {
                throw new DataException("dataset " + file + ": unknown column '" + column + "'; its columns are "
                        + header);
            }
        }
        return toDataset(file.toString(), rows, columns, labelNames);
    }

    private static List<Row> readJsonLines(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonElement parsed;
                try {
                    parsed = JsonParser.parseString(line);
                } catch (RuntimeException e) {
                    throw new DataException("dataset " + file + " line " + number + ": not JSON (" + e.getMessage()
                            + ")");
                }
                if (!parsed.isJsonObject()) {
                    throw new DataException("dataset " + file + " line " + number + ": expected a JSON object");
                }
                Map<String, String> values = new LinkedHashMap<>();
                for (Map.Entry<String, JsonElement> e : parsed.getAsJsonObject().entrySet()) {
                    values.put(e.getKey(), e.getValue().isJsonNull() ? null : e.getValue().isJsonPrimitive()
                            ? e.getValue().getAsString() : e.getValue().toString());
                }
                rows.add(new Row(number, values));
            }
        }
        return rows;
    }

    private static Dataset toDataset(String source, List<Row> rows, ColumnMapping columns, List<String> fixed) {
        List<String> labels = fixed != null ? fixed : inferLabels(source, rows, columns.labelColumn());
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            ids.put(labels.get(i), i);
        }
        List<Example> examples = new ArrayList<>();
        for (Row row : rows) {
            String text = row.values().get(columns.textColumn());
            if (text == null) {
                throw new DataException(source + " line " + row.line() + ": no value in column '"
                        + columns.textColumn() + "'");
            }
            String pair = columns.pairColumn() == null ? "" : row.values().get(columns.pairColumn());
            String label = row.values().get(columns.labelColumn());
            Integer id = label == null ? null : ids.get(label.trim());
            if (id == null) {
                throw new DataException(source + " line " + row.line() + ": label '" + label + "' is out of range;"
                        + " expected one of " + labels);
            }
            examples.add(new Example(text, pair == null ? "" : pair, id));
        }
        return new Dataset(source, examples, labels);
    }

    /** Integer labels 0..max keep their values; other labels are sorted strings. */
    private static List<String> inferLabels(String source, List<Row> rows, String column) {
        TreeSet<String> distinct = new TreeSet<>();
        boolean integers = true;
        int max = -1;
        for (Row row : rows) {
            String v = row.values().get(column);
            if (v == null || v.isBlank()) {
                throw new DataException(source + " line " + row.line() + ": no label in column '" + column + "'");
            }
            v = v.trim();
            distinct.add(v);
            try {
                int n = Integer.parseInt(v);
                if (n < 0) {
                    throw new DataException(source + " line " + row.line() + ": label " + n
                            + " is out of range; expected an id >= 0");
                }
                max = Math.max(max, n);
            } catch (NumberFormatException e) {
                integers = false;
            }
        }
        List<String> labels = new ArrayList<>();
        if (integers) {
            for (int i = 0; i <= max; i++) {
                labels.add(Integer.toString(i));
            }
        } else {
            labels.addAll(distinct);
        }
        if (labels.size() < 2) {
            throw new DataException(source + ": only one label (" + labels + "); a classifier needs at least two");
        }
        return labels;
    }
}
