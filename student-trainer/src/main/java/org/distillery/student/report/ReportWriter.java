package org.distillery.student.report;

import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code report.json} and a self-contained {@code report.html} ({@link ReportHtml}), and prints the table.
 * A student's figures are mean ± standard deviation over its seeds.
 */
public final class ReportWriter {
    static final String[] COLUMNS = {"size_mb", "num_parameters", "latency_avg_ms", "latency_std_ms", "accuracy",
            "f1", "precision", "recall", "roc_auc"};
    static final String[] METRICS = {"accuracy", "f1", "precision", "recall", "roc_auc"};

    private ReportWriter() {
    }

    public static void write(DemoReport report, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        AtomicFiles.writeString(dir.resolve("report.json"), json(report));
        AtomicFiles.writeString(dir.resolve("report.html"), ReportHtml.html(report));
    }

    /** The report as strict JSON: a figure that is not finite, or a ratio that is undefined, is written as null. */
    static String json(DemoReport report) {
        return Json.PRETTY.toJson(report);
    }

    /** One row's cells as text, in {@link #COLUMNS} order. */
    static List<String> cells(ModelRow m) {
        List<String> cells = new ArrayList<>();
        cells.add(String.format(Locale.ROOT, "%.4f", m.sizeMb()));
        cells.add(Long.toString(m.numParameters()));
        cells.add(String.format(Locale.ROOT, "%.4f", m.latencyAvgMs()));
        cells.add(String.format(Locale.ROOT, "%.4f", m.latencyStdMs()));
        for (String metric : METRICS) {
            double std = m.metricsStd().getOrDefault(metric, Double.NaN);
            cells.add(new Spread(m.metric(metric), std, m.seeds()).format(4));
        }
        return cells;
    }

    /** A row's name with its number of seeds when it has several. */
    static String name(ModelRow m) {
        return m.role().equals("student") ? m.name() + " (" + m.seeds() + (m.seeds() == 1 ? " seed)" : " seeds)")
                : m.name();
    }

    /** The report as text, for the terminal. */
    public static String table(DemoReport report) {
        StringBuilder sb = new StringBuilder(report.scenarioText()).append("\n\n");
        sb.append(String.format(Locale.ROOT, "%-40s", "model"));
        for (String c : COLUMNS) {
            sb.append(String.format(Locale.ROOT, " %16s", c));
        }
        sb.append('\n');
        for (ModelRow m : report.models()) {
            sb.append(String.format(Locale.ROOT, "%-40s", name(m)));
            for (String cell : cells(m)) {
                sb.append(String.format(Locale.ROOT, " %16s", cell));
            }
            sb.append('\n');
        }
        sb.append("test metrics: mean ± std over seeds; latency: ONNX Runtime, 1 thread, one example\n");
        for (RatioSummary r : report.distillationRatio()) {
            sb.append("distillation ratio, ").append(r.student()).append(", ").append(r.metric()).append(": ")
                    .append(r.text()).append('\n');
        }
        sb.append("ensemble modes: ").append(report.ensembleModes().text()).append('\n');
        sb.append(speedUp(report)).append('\n');
        sb.append(link(report)).append('\n');
        return sb.toString();
    }

    /** The speed-ups in one line. */
    static String speedUp(DemoReport report) {
        StringBuilder sb = new StringBuilder("speed-up (latency / the distilled student's):");
        for (Map.Entry<String, Double> e : report.speedUp().entrySet()) {
            sb.append(String.format(Locale.ROOT, " %s %.2fx;", e.getKey(), e.getValue()));
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** The teacher link's totals over the distilled runs in one line. */
    static String link(DemoReport report) {
        long requests = 0;
        long examples = 0;
        long hits = 0;
        long sent = 0;
        long received = 0;
        double wait = 0;
        for (LinkRow r : report.teacherLink()) {
            requests += r.requests();
            examples += r.examples();
            hits += r.cacheHits();
            sent += r.bytesSent();
            received += r.bytesReceived();
            wait += r.teacherWaitSeconds();
        }
        return String.format(Locale.ROOT, "teacher link over %d distilled runs: %d requests, %.2f MB sent, %.2f MB "
                        + "received, %.1f s teacher wait; %d of %d examples' answers from the cache (%.0f %%)",
                report.teacherLink().size(), requests, sent / 1e6, received / 1e6, wait, hits, examples,
                examples == 0 ? 0 : 100.0 * hits / examples);
    }
}
