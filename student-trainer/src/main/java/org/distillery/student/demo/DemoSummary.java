package org.distillery.student.demo;

import org.distillery.student.eval.OnnxModelReport;
import org.distillery.student.report.DemoReport;
import org.distillery.student.report.DistillationRatio;
import org.distillery.student.report.LinkRow;
import org.distillery.student.report.ModeComparison;
import org.distillery.student.report.ModelRow;
import org.distillery.student.report.RatioSummary;
import org.distillery.student.report.RunCurve;
import org.distillery.student.train.TrainResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns the demo's measurements and runs into its report: rows over seeds, ratios, comparisons, link figures. */
final class DemoSummary {
    /** The metrics whose distillation ratio the report gives. */
    private static final String[] RATIO_METRICS = {"accuracy", "f1"};

    private DemoSummary() {
    }

    /**
     * @param members  the ensemble members' names; {@code measured} lists them first, then the ensemble, then one
     *                 report per run named {@code LABEL seed SEED}
     */
    static DemoReport of(String dataset, String scenario, String scenarioText, Map<String, Object> settings,
                         Collection<String> members, List<OnnxModelReport> measured,
                         List<DemoPipeline.StudentRun> runs, double seconds) {
        Map<String, OnnxModelReport> byName = new LinkedHashMap<>();
        measured.forEach(m -> byName.put(m.name(), m));
        List<ModelRow> rows = new ArrayList<>();
        members.forEach(name -> rows.add(ModelRow.single("teacher", byName.get(name))));
        ModelRow ensemble = ModelRow.single("ensemble", byName.get(DemoPipeline.ENSEMBLE));
        rows.add(ensemble);
        Map<Variant, ModelRow> students = new LinkedHashMap<>();
        Map<String, List<RunCurve>> curves = new LinkedHashMap<>();
        for (Variant variant : Variant.values()) {
            List<OnnxModelReport> seeds = new ArrayList<>();
            List<RunCurve> variantCurves = new ArrayList<>();
            for (DemoPipeline.StudentRun run : runs) {
                if (run.variant() == variant) {
                    seeds.add(byName.get(variant.label() + " seed " + run.seed()));
                    variantCurves.add(new RunCurve(run.seed(), run.result().stepLosses(),
                            run.result().epochMetrics()));
                }
            }
            ModelRow row = ModelRow.seeds(variant.label(), seeds);
            students.put(variant, row);
            rows.add(row);
            curves.put(variant.label(), variantCurves);
        }
        ModelRow undistilled = students.get(Variant.UNDISTILLED);
        List<RatioSummary> ratios = new ArrayList<>();
        for (Variant variant : List.of(Variant.MEAN_PROBS, Variant.SAMPLE_ONE)) {
            for (String metric : RATIO_METRICS) {
                ratios.add(DistillationRatio.across(ensemble, undistilled, students.get(variant), metric));
            }
        }
        ModelRow distilled = students.get(Variant.MEAN_PROBS);
        Map<String, Double> speedUp = new LinkedHashMap<>();
        for (ModelRow row : rows) {
            if (!row.role().equals("student")) {
                speedUp.put(row.name(), row.latencyAvgMs() / distilled.latencyAvgMs());
            }
        }
        List<LinkRow> link = new ArrayList<>();
        for (DemoPipeline.StudentRun run : runs) {
            if (run.variant().distilled()) {
                TrainResult r = run.result();
                link.add(new LinkRow(run.variant().label(), run.seed(), run.link().requests(), run.examples(),
                        Math.round(cacheHits(r)), run.link().sentBytes(), run.link().receivedBytes(),
                        r.teacherWaitSeconds(), r.seconds()));
            }
        }
        return new DemoReport(dataset, scenario, scenarioText, settings, rows, ratios,
                ModeComparison.of(students.get(Variant.MEAN_PROBS), students.get(Variant.SAMPLE_ONE)), speedUp,
                link, curves, seconds);
    }

    /** Examples answered from the teacher-output cache over the run. */
    static double cacheHits(TrainResult result) {
        return result.epochMetrics().stream().mapToDouble(e -> e.getOrDefault("teacher_cache_hits", 0.0)).sum();
    }
}
