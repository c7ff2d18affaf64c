package org.distillery.student.report;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's images: per-step training curves, validation curves (XChart) and confusion matrices. */
final class ReportCharts {
    private ReportCharts() {
    }

    /**
     * Each student's training loss at every step, mean over its seeds, as a trailing moving average over about a
     * thirtieth of the run (at least one step), on a logarithmic axis. The x axis counts epochs (step ÷ steps per
     * epoch), which keeps its labels readable.
     */
    static BufferedImage stepLoss(DemoReport report) {
        XYChart chart = new XYChartBuilder().width(760).height(420).title("training loss at every step (mean over "
                + "seeds, moving average)").xAxisTitle("epoch (step / steps per epoch)").yAxisTitle("objective "
                + "(log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setxAxisTickLabelsFormattingFunction(ReportCharts::epochLabel);
        for (Map.Entry<String, List<RunCurve>> e : report.curves().entrySet()) {
            double[] mean = meanOverSeeds(e.getValue());
            double perEpoch = stepsPerEpoch(e.getValue(), mean.length);
            int window = Math.max(1, mean.length / 30);
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
                    x.add(step / perEpoch); // the loss of step s is computed after s updates
                    y.add(sum / count);
                }
            }
            if (!x.isEmpty()) {
                chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
            }
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /** Labels the ticks at whole and half epochs only (XChart puts ticks at tenths on short axes). */
    private static String epochLabel(Double epoch) {
        double halves = epoch * 2;
        return Math.abs(halves - Math.rint(halves)) < 1e-6 ? String.format(Locale.ROOT, "%.1f", epoch) : " ";
    }

    /** Steps per epoch of a student's runs: the step of its first epoch's line (all steps when none ended). */
    private static double stepsPerEpoch(List<RunCurve> runs, int steps) {
        for (RunCurve run : runs) {
            if (!run.epochs().isEmpty()) {
                return run.epochs().get(0).getOrDefault("step", (double) Math.max(1, steps));
            }
        }
        return Math.max(1, steps);
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

    /** Each student's validation {@code metric} at the end of every epoch, mean over seeds. */
    static BufferedImage validation(DemoReport report, String metric) {
        XYChart chart = new XYChartBuilder().width(760).height(360).title("validation " + metric + " at the end of "
                + "each epoch (mean over seeds)").xAxisTitle("epoch").yAxisTitle(metric).build();
        chart.getStyler().setxAxisTickLabelsFormattingFunction(ReportCharts::epochLabel);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        for (Map.Entry<String, List<RunCurve>> e : report.curves().entrySet()) {
            int epochs = e.getValue().stream().mapToInt(r -> r.epochs().size()).min().orElse(0);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < epochs; i++) {
                double sum = 0;
                for (RunCurve run : e.getValue()) {
                    sum += run.epochs().get(i).getOrDefault(metric, Double.NaN);
                }
                x.add(e.getValue().get(0).epochs().get(i).getOrDefault("epoch", i + 1.0));
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
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
        int titleWidth = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(font)
                .stringWidth(title);
        BufferedImage image = new BufferedImage(Math.max(margin + n * cell + 10, titleWidth + 16),
                margin + n * cell + 30, BufferedImage.TYPE_INT_RGB);
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
        g.setFont(font);
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
