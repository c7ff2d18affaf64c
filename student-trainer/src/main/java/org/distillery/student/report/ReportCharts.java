package org.distillery.student.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The report's images: per-step training curves, validation curves (XChart) and confusion matrices. */
final class ReportCharts {
    private ReportCharts() {
    }

    /**
     * Each student's training loss at every step, mean over its seeds, as a trailing moving average over about a
     * fiftieth of the run (at least one step), on a logarithmic axis.
     */
    static BufferedImage stepLoss(DemoReport report) {
        XYChart chart = new XYChartBuilder().width(760).height(380).title("training loss per step (mean over seeds, "
                + "moving average)").xAxisTitle("step").yAxisTitle("objective (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        for (Map.Entry<String, List<RunCurve>> e : report.curves().entrySet()) {
            double[] mean = meanOverSeeds(e.getValue());
            int window = Math.max(1, mean.length / 50);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int step = 0; step < mean.length; step++) {
                double sum = 0;
                int count = 0;
                for (int i = Math.max(0, step - window + 1); i <= step; i++) {
                    if (Double.isFinite(mean[i]) && mean[i] > 0) {
                        sum += mean[i];
                        count++;
                    }
                }
                if (count > 0) {
                    x.add(step + 1.0);
                    y.add(sum / count);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
            }
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    private static double[] meanOverSeeds(List<RunCurve> runs) {
        int steps = runs.stream().mapToInt(r -> r.stepLoss().size()).min().orElse(0);
        double[] mean = new double[steps];
        for (RunCurve run : runs) {
            for (int i = 0; i < steps; i++) {
                mean[i] += run.stepLoss().get(i) / (double) runs.size();
            }
        }
        return mean;
    }

    /** Each student's validation {@code metric} at the end of every epoch, against the step, mean over seeds. */
    static BufferedImage validation(DemoReport report, String metric) {
        XYChart chart = new XYChartBuilder().width(760).height(320).title("validation " + metric + " per epoch "
                + "(mean over seeds)").xAxisTitle("step").yAxisTitle(metric).build();
        for (Map.Entry<String, List<RunCurve>> e : report.curves().entrySet()) {
            int epochs = e.getValue().stream().mapToInt(r -> r.epochs().size()).min().orElse(0);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < epochs; i++) {
                double sum = 0;
                for (RunCurve run : e.getValue()) {
                    sum += run.epochs().get(i).getOrDefault(metric, Double.NaN);
                }
                x.add(e.getValue().get(0).epochs().get(i).getOrDefault("step", (double) i + 1));
                y.add(sum / e.getValue().size());
            }
            if (!x.isEmpty()) {
                chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** A confusion matrix drawn as a grid of shaded cells with counts. */
    static BufferedImage confusion(String title, int[][] c) {
        int n = c.length;
        int cell = 70;
        int margin = 40;
        BufferedImage image = new BufferedImage(Math.max(margin + n * cell + 10, 240), margin + n * cell + 30,
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
        g.drawString(title, 8, 18);
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
}
