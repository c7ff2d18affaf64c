package org.distillery.student.train;

import org.distillery.common.io.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running figures of the current epoch — sums of the loss and of each term over finite steps, and the skipped
 * steps — plus the run of skipped steps in a row. Saved in every checkpoint, so an epoch resumed mid-way reports
 * what an uninterrupted epoch would have.
 */
public final class RunningFigures {
    private Map<String, Double> sums = new LinkedHashMap<>();
    private Map<String, Double> counts = new LinkedHashMap<>();
    private Map<String, Double> totals = new LinkedHashMap<>();
    private int skipped;
    private int skippedInARow;

    /** Counts one step. */
    public void add(StepOutcome outcome) {
        if (outcome.skipped()) {
            skipped++;
            skippedInARow++;
            return;
        }
        skippedInARow = 0;
        add("train_loss", outcome.loss());
        outcome.terms().forEach((name, value) -> add("loss_" + name, value));
        if (Float.isFinite(outcome.teacherKl())) {
            add("teacher_kl", outcome.teacherKl());
        }
        if (Float.isFinite(outcome.teacherAgreement())) {
            add("teacher_agreement", outcome.teacherAgreement());
        }
    }

    /**
     * Counts where one distilled step's teacher answer came from.
     *
     * @param requests  requests sent to a teacher for it (0 when the cache had every example)
     * @param cacheHits examples read from the teacher-output cache
     */
    public void addTeacher(int requests, int cacheHits) {
        totals.merge("teacher_requests", (double) requests, Double::sum);
        totals.merge("teacher_cache_hits", (double) cacheHits, Double::sum);
    }

    private void add(String key, double value) {
        sums.merge(key, value, Double::sum);
        counts.merge(key, 1.0, Double::sum);
    }

    /** Skipped steps in a row, up to the last one. */
    public int skippedInARow() {
        return skippedInARow;
    }

    /**
     * The epoch's means ({@code train_loss}, {@code loss_TERM}, {@code teacher_kl}, {@code teacher_agreement}) and
     * {@code skipped_steps}; with a teacher, the epoch's {@code teacher_requests} and {@code teacher_cache_hits}.
     */
    public Map<String, Double> epoch() {
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("train_loss", Double.NaN);
        sums.forEach((key, sum) -> figures.put(key, sum / counts.get(key)));
        figures.put("skipped_steps", (double) skipped);
        figures.putAll(totals);
        return figures;
    }

    /** Starts a new epoch (a run of skipped steps carries over). */
    public void startEpoch() {
        sums = new LinkedHashMap<>();
        counts = new LinkedHashMap<>();
        totals = new LinkedHashMap<>();
        skipped = 0;
    }

    /** The state as one JSON line, for checkpoints. */
    public String toJson() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("sums", sums);
        state.put("counts", counts);
        state.put("totals", totals);
        state.put("skipped", skipped);
        state.put("skipped_in_a_row", skippedInARow);
        return Json.LINE.toJson(state);
    }

    /** The state {@link #toJson} wrote. Sums are written by Gson as shortest round-trip decimals, so exactly. */
    public static RunningFigures fromJson(String json) {
        Saved saved = Json.LINE.fromJson(json, Saved.class);
        RunningFigures figures = new RunningFigures();
        figures.sums = new LinkedHashMap<>(saved.sums);
        figures.counts = new LinkedHashMap<>(saved.counts);
        figures.totals = saved.totals == null ? new LinkedHashMap<>() : new LinkedHashMap<>(saved.totals);
        figures.skipped = saved.skipped;
        figures.skippedInARow = saved.skippedInARow;
        return figures;
    }

    private static final class Saved {
        Map<String, Double> sums;
        Map<String, Double> counts;
        Map<String, Double> totals;
        int skipped;
        int skippedInARow;
    }

}
