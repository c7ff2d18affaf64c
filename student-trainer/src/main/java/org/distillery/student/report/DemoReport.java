package org.distillery.student.report;

import java.util.List;
import java.util.Map;

/**
 * What the demo measured: the table (each teacher, the ensemble, and each student over its seeds), AutoMM's
 * distillation ratio with its spread, the two ensemble modes compared, the speed-up, what training asked of the
 * teacher server, the training curves, and the settings.
 *
 * @param scenario          {@code transfer} or {@code full}
 * @param scenarioText      the scenario in one sentence
 * @param models            the table's rows: teachers, the ensemble, then the students
 * @param distillationRatio each distilled student's ratio per metric, against the ensemble
 * @param ensembleModes     the two distilled students compared
 * @param speedUp           teacher row name → its latency ÷ the distilled student's
 * @param teacherLink       each distilled run's traffic with the teacher server
 * @param curves            student name → each seed's curve
 * @param seconds           the demo's wall time
 */
public record DemoReport(String dataset, String scenario, String scenarioText, Map<String, Object> settings,
                         List<ModelRow> models, List<RatioSummary> distillationRatio, ModeComparison ensembleModes,
                         Map<String, Double> speedUp, List<LinkRow> teacherLink,
                         Map<String, List<RunCurve>> curves, double seconds) {
    /** The row named {@code name}. */
    public ModelRow model(String name) {
        return models.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model '" + name + "' in the report"));
    }
}
