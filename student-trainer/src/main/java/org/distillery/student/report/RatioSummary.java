package org.distillery.student.report;

import java.util.List;

/**
 * A distilled student's distillation ratio on one metric, over its seeds (each seed paired with the undistilled
 * student of the same seed: same initialisation and data order).
 *
 * @param student             the distilled student's name in the table
 * @param metric              the metric
 * @param perSeed             each seed's ratio; null where the teacher does not beat that undistilled student
 * @param mean                mean over the seeds where it is defined
 * @param std                 their sample standard deviation (NaN with fewer than two)
 * @param definedSeeds        seeds where the ratio is defined
 * @param testExamples        test examples behind each seed's figures
 * @param teacherLead         the teacher's lead over the undistilled student in the metric, mean over seeds
 * @param teacherLeadExamples for accuracy, that lead in test examples (NaN for other metrics)
 * @param gainShown           true when mean − std > 0 over at least two seeds
 * @param text                the figure in words, claiming no more than the spread supports
 */
public record RatioSummary(String student, String metric, List<Double> perSeed, double mean, double std,
                           int definedSeeds, int testExamples, double teacherLead, double teacherLeadExamples,
                           boolean gainShown, String text) {
}
