package org.distillery.student.report;

import org.distillery.common.io.Json;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;

/** The self-contained {@code report.html}: text, tables, and images inlined as PNG data. */
final class ReportHtml {
    private ReportHtml() {
    }

    static String html(DemoReport report) throws IOException {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Distillery report</title><style>")
                .append("body{font-family:sans-serif;margin:2em;color:#222;max-width:1250px}")
                .append("table{border-collapse:collapse;margin:0.5em 0;font-size:0.9em}")
                .append("td,th{border:1px solid #ccc;padding:4px 6px;text-align:right;white-space:nowrap}")
                .append("th{background:#f3f3f3}.sd{color:#666;font-size:0.85em}")
                .append("td:first-child{text-align:left}img{margin:8px;border:1px solid #ddd}")
                .append(".scenario{font-size:1.1em;background:#f6f8ff;border-left:4px solid #4a6fd8;padding:8px 12px}")
                .append("</style></head><body>")
                .append("<h1>Distillery: distillation report</h1>")
                .append("<p class=\"scenario\">").append(escape(report.scenarioText())).append("</p>")
                .append("<p>").append(escape(headline(report))).append("</p>")
                .append("<p>Dataset: ").append(escape(report.dataset())).append(". Wall time: ")
                .append(String.format(Locale.ROOT, "%.1f", report.seconds())).append(" s.</p>");
        models(h, report);
        h.append("<h2>What distillation bought</h2><ul>");
        for (RatioSummary r : report.distillationRatio()) {
            h.append("<li>Distillation ratio, <b>").append(escape(r.student())).append("</b>, ")
                    .append(escape(r.metric())).append(": ").append(escape(r.text())).append("</li>");
        }
        h.append("</ul><p>Distillation ratio = (distilled &minus; undistilled) &divide; (ensemble &minus; "
                + "undistilled), seed by seed: the share of the teacher's lead the distilled student recovered (1 = as "
                + "good as the teacher, 0 = no gain, negative = worse).</p>");
        h.append("<p><b>Ensemble modes.</b> ").append(escape(report.ensembleModes().text())).append("</p>");
        h.append("<p>").append(escape(ReportWriter.speedUp(report))).append(".</p>");
        link(h, report);
        h.append("<h2>Training curves</h2><p>Each student's own objective at every step (the distilled students' mixes "
                + "cross-entropy on the labelled examples with the KL term on all), so compare shapes, not levels; "
                + "validation figures are comparable.</p>");
        h.append(img(ReportCharts.stepLoss(report), "training loss per step"));
        h.append(img(ReportCharts.validation(report, "accuracy"), "validation accuracy per epoch"));
        h.append("<h2>Confusion matrices on the test split (rows: true label, columns: predicted; students summed "
                + "over their seeds)</h2>");
        for (ModelRow m : report.models()) {
            h.append(img(ReportCharts.confusion(ReportWriter.name(m), m.confusion()), "confusion matrix of "
                    + m.name()));
        }
        h.append("<h2>Settings</h2><pre>").append(escape(Json.PRETTY.toJson(report.settings())))
                .append("</pre></body></html>\n");
        return h.toString();
    }

    /** The first distilled student against the undistilled one and the ensemble, in one sentence. */
    static String headline(DemoReport report) {
        RatioSummary ratio = report.distillationRatio().get(0);
        ModelRow distilled = report.model(ratio.student());
        ModelRow undistilled = report.models().stream().filter(m -> m.role().equals("student")).findFirst()
                .orElseThrow();
        ModelRow ensemble = report.models().stream().filter(m -> m.role().equals("ensemble")).findFirst()
                .orElseThrow();
        String accuracy = "accuracy";
        return String.format(Locale.ROOT, "In short: %s reaches test accuracy %s against %s for %s and %.4f for "
                        + "the ensemble (%d seed%s, %d test examples each); distillation ratio %s; it answers %.1fx "
                        + "faster than the ensemble.", distilled.name(),
                new Spread(distilled.metric(accuracy), distilled.metricsStd().getOrDefault(accuracy, Double.NaN),
                        distilled.seeds()).format(4),
                new Spread(undistilled.metric(accuracy), undistilled.metricsStd().getOrDefault(accuracy,
                        Double.NaN), undistilled.seeds()).format(4), undistilled.name(), ensemble.metric(accuracy),
                distilled.seeds(), distilled.seeds() == 1 ? "" : "s", distilled.testExamples(),
                ratio.text(), report.speedUp().getOrDefault(ensemble.name(), Double.NaN));
    }

    private static void models(StringBuilder h, DemoReport report) {
        h.append("<h2>Models on the test split</h2><table><tr><th>model</th>");
        for (String c : ReportWriter.COLUMNS) {
            h.append("<th>").append(c).append("</th>");
        }
        h.append("</tr>");
        for (ModelRow m : report.models()) {
            h.append("<tr><td>").append(escape(ReportWriter.name(m))).append("</td>");
            for (String cell : ReportWriter.cells(m)) {
                int spread = cell.indexOf(" ± ");
                h.append("<td>").append(spread < 0 ? escape(cell) : escape(cell.substring(0, spread))
                        + "<br><span class=\"sd\">&plusmn; " + escape(cell.substring(spread + 3)) + "</span>")
                        .append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</table><p>Students: mean &plusmn; standard deviation over their seeds. Latency: ONNX Runtime, one "
                + "thread, one example at a time, the models taking turns run by run; the ensemble runs every member "
                + "on each example.</p>");
    }

    private static void link(StringBuilder h, DemoReport report) {
        h.append("<h2>Teacher link</h2><p>").append(escape(ReportWriter.link(report))).append(".</p>")
                .append("<table><tr><th>distilled student</th><th>seed</th><th>requests</th><th>examples</th>")
                .append("<th>from the cache</th><th>MB sent</th><th>MB received</th><th>teacher wait s</th>")
                .append("<th>training s</th></tr>");
        for (LinkRow r : report.teacherLink()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td><td>%d (%.0f %%)"
                            + "</td><td>%.2f</td><td>%.2f</td><td>%.1f</td><td>%.1f</td></tr>", escape(r.student()),
                    r.seed(), r.requests(), r.examples(), r.cacheHits(), 100 * r.cacheHitRate(), r.bytesSent() / 1e6,
                    r.bytesReceived() / 1e6, r.teacherWaitSeconds(), r.trainSeconds()));
        }
        h.append("</table><p>Requests go to the teacher server only for examples the teacher-output cache does not "
                + "hold; the first distilled run fills it, later epochs, seeds and demo runs read it. Bytes are the "
                + "request and answer messages (fp16 logits).</p>");
    }

    private static String img(BufferedImage image, String alt) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", png);
        return "<img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png.toByteArray()) + "\">";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
