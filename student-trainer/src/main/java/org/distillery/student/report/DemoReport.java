package org.distillery.student.report;

import org.distillery.student.eval.OnnxModelReport;

import java.util.List;
import java.util.Map;

/**
 * What the demo measured: the seed notebook's table (teacher, student, distilled student), AutoMM's distillation
 * ratio ((distilled − undistilled) ÷ (teacher − undistilled), per metric) and the speed-up (teacher latency ÷
 * student latency), the training curves of both students, and the settings.
 */
public record DemoReport(String dataset, Map<String, Object> settings, List<OnnxModelReport> models,
                         Map<String, Double> distillationRatio, double speedUp,
                         Map<String, List<Map<String, Double>>> curves, double seconds) {
}
