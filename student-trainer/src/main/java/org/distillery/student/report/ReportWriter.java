package org.distillery.student.report;

import org.distillery.common.io.AtomicFiles;
import org.distillery.common.io.Json;
import org.distillery.student.eval.OnnxModelReport;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes {@code report.json} and a self-contained {@code report.html}: the table, the ratios, training curves (XChart)
 * and confusion matrices, all images inlined as PNG data.
 */
public final class ReportWriter {
    static final String[] COLUMNS = {"size_mb", "num_parameters", "latency_avg_ms", "latency_std_ms", "accuracy",
            "f1", "precision", "recall", "roc_auc"};

    private ReportWriter() {
    }

    public static void write(DemoReport report, Path dir) throws IOException {
        System.setProperty("java.awt.headless", "true");
        AtomicFiles.writeString(dir.resolve("report.json"), json(report));
        AtomicFiles.writeString(dir.resolve("report.html"), html(report));
    }

    /** The report as strict JSON: a figure that is not finite, or a ratio that is undefined, is written as null. */
    static String json(DemoReport report) {
        return Json.PRETTY.toJson(report);
    }

    /** The seed notebook's row for one model. */
    public static List<Object> row(OnnxModelReport m) {
        List<Object> row = new ArrayList<>();
        row.add(m.sizeMb());
        row.add(m.numParameters());
        row.add(m.latencyAvgMs());
        row.add(m.latencyStdMs());
        for (String metric : new String[]{"accuracy", "f1", "precision", "recall", "roc_auc"}) {
            row.add(m.metrics().getOrDefault(metric, Double.NaN));
        }
        return row;
    }

    /** The table as text, for the terminal. */
    public static String table(DemoReport report) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-18s", "model"));
        for (String c : COLUMNS) {
            sb.append(String.format(Locale.ROOT, " %14s", c));
        }
        sb.append('\n');
        for (OnnxModelReport m : report.models()) {
            sb.append(String.format(Locale.ROOT, "%-18s", m.name()));
            for (Object v : row(m)) {
                sb.append(v instanceof Long ? String.format(Locale.ROOT, " %14d", v)
                        : String.format(Locale.ROOT, " %14.4f", (Double) v));
            }
            sb.append('\n');
        }
        for (String metric : new String[]{"accuracy", "f1"}) {
            sb.append("distillation ratio (").append(metric).append("): ")
                    .append(ratioText(report, metric)).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "speed-up (teacher latency / distilled student latency): %.2fx%n",
                report.speedUp()));
        return sb.toString();
    }

    private static String ratioText(DemoReport report, String metric) {
        return DistillationRatio.describe(report.distillationRatio().get(metric), report.models().get(0),
                report.models().get(1), metric);
    }

    private static String html(DemoReport report) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Distillery report</title><style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}")
                .append("td:first-child{text-align:left}img{margin:8px;border:1px solid #ddd}</style></head><body>")
                .append("<h1>Distillery: distillation report</h1>")
                .append("<p>Dataset: ").append(escape(report.dataset())).append(". Wall time: ")
                .append(String.format(Locale.ROOT, "%.1f", report.seconds())).append(" s.</p>");
        h.append("<h2>Models on the test split</h2><table><tr><th>model</th>");
        for (String c : COLUMNS) {
            h.append("<th>").append(c).append("</th>");
        }
        h.append("</tr>");
        for (OnnxModelReport m : report.models()) {
            h.append("<tr><td>").append(escape(m.name())).append("</td>");
            for (Object v : row(m)) {
                h.append("<td>").append(v instanceof Long ? v.toString()
                        : String.format(Locale.ROOT, "%.4f", (Double) v)).append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table><p>Distillation ratio ((distilled &minus; undistilled) &divide; (teacher &minus; "
                + "undistilled)): ");
        report.distillationRatio().keySet().forEach(k -> h.append(escape(k)).append(' ')
                .append(escape(ratioText(report, k))).append("; "));
        h.append("speed-up (teacher latency &divide; student latency): ")
                .append(String.format(Locale.ROOT, "%.2f&times;", report.speedUp())).append("</p>");
        h.append("<h2>Training curves</h2><p>Training loss is each student's own objective (the distilled student's "
                + "mixes cross-entropy with the KL term), so compare shapes, not levels; validation accuracy is "
                + "comparable.</p>");
        h.append(img(curve(report, "train_loss", "training loss"), "training loss per epoch"));
        h.append(img(curve(report, "accuracy", "validation accuracy"), "validation accuracy per epoch"));
        h.append("<h2>Confusion matrices (rows: true label, columns: predicted)</h2>");
        for (OnnxModelReport m : report.models()) {
            h.append(img(confusion(m), "confusion matrix of " + m.name()));
        }
        h.append("<h2>Settings</h2><pre>").append(escape(Json.PRETTY
                .toJson(report.settings()))).append("</pre></body></html>\n");
        return h.toString();
    }

    private static BufferedImage curve(DemoReport report, String metric, String title) {
        XYChart chart = new XYChartBuilder().width(520).height(320).title(title).xAxisTitle("epoch")
                .yAxisTitle(metric).build();
        for (Map.Entry<String, List<Map<String, Double>>> e : report.curves().entrySet()) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (Map<String, Double> point : e.getValue()) {
                x.add(point.get("epoch"));
                y.add(point.get(metric));
            }
            if (!x.isEmpty()) {
                chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** A confusion matrix drawn as a grid of shaded cells with counts. */
    static BufferedImage confusion(OnnxModelReport m) {
        int[][] c = m.confusion();
        int n = c.length;
        int cell = 70;
        int margin = 40;
        BufferedImage image = new BufferedImage(margin + n * cell + 10, margin + n * cell + 30,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        int max = 1;
        for (int[] r : c) {
            for (int v : r) {
                max = Math.max(max, v);
            }
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setColor(Color.BLACK);
        g.drawString(m.name(), margin, 18);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                float shade = c[i][j] / (float) max;
                g.setColor(new Color(1 - 0.7f * shade, 1 - 0.5f * shade, 1f));
                g.fillRect(margin + j * cell, margin + i * cell, cell, cell);
                g.setColor(Color.GRAY);
                g.drawRect(margin + j * cell, margin + i * cell, cell, cell);
                g.setColor(Color.BLACK);
                g.drawString(Integer.toString(c[i][j]), margin + j * cell + cell / 3, margin + i * cell + cell / 2);
            }
            g.drawString(Integer.toString(i), margin - 20, margin + i * cell + cell / 2);
            g.drawString(Integer.toString(i), margin + i * cell + cell / 2, margin + n * cell + 18);
        }
        g.dispose();
        return image;
    }

    private static String img(BufferedImage image, String alt) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", png);
        return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png.toByteArray()) + "\">";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
