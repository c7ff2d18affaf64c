package org.distillery.student.metrics;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.distillery.common.testing.Scrape;
import org.distillery.teacher.metrics.TeacherMetrics;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Grafana dashboard cannot drift from the code: every metric its queries name is one the teacher server or the
 * trainer registers, and every metric they register is shown somewhere.
 */
class DashboardTest {
    static final Path DASHBOARD = Path.of("deploy", "grafana", "distillery-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\bdistillery_[a-z0-9_]+");
    private static JsonObject dashboard;
    private static Set<String> series;

    @BeforeAll
    static void load() throws Exception {
        Path file = repositoryRoot().resolve(DASHBOARD);
        dashboard = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        series = new TreeSet<>(Scrape.seriesNames(TeacherMetrics.create().registry()));
        series.addAll(Scrape.seriesNames(TrainerMetrics.create().registry()));
    }

    /** The module's parent: tests run in the module directory. */
    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve(DASHBOARD))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, DASHBOARD + " not found above " + Path.of("").toAbsolutePath());
        return dir;
    }

    private static List<JsonObject> panels() {
        List<JsonObject> all = new ArrayList<>();
        for (JsonElement p : dashboard.getAsJsonArray("panels")) {
            all.add(p.getAsJsonObject());
            if (p.getAsJsonObject().has("panels")) { // panels inside a collapsed row
                p.getAsJsonObject().getAsJsonArray("panels").forEach(inner -> all.add(inner.getAsJsonObject()));
            }
        }
        return all;
    }

    /** Every PromQL expression: panel targets and the templating queries. */
    private static List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        for (JsonObject panel : panels()) {
            if (panel.has("targets")) {
                panel.getAsJsonArray("targets").forEach(t -> exprs.add(t.getAsJsonObject().get("expr").getAsString()));
            }
        }
        for (JsonElement v : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
            JsonObject variable = v.getAsJsonObject();
            if (variable.has("definition")) {
                exprs.add(variable.get("definition").getAsString());
            }
            if (variable.has("query") && variable.get("query").isJsonObject()) {
                exprs.add(variable.getAsJsonObject("query").get("query").getAsString());
            }
        }
        return exprs;
    }

    private static Set<String> referenced() {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions()) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    @Test
    void everyMetricTheDashboardQueriesIsRegistered() {
        Set<String> referenced = referenced();
        assertTrue(referenced.size() >= 15, "the dashboard names too few metrics: " + referenced);
        Set<String> unknown = new TreeSet<>(referenced);
        unknown.removeAll(series);
        assertTrue(unknown.isEmpty(), "the dashboard queries metrics the code does not register: " + unknown
                + "; registered: " + series);
    }

    @Test
    void everyRegisteredMetricIsShown() {
        Set<String> referenced = referenced();
        Set<String> families = new TreeSet<>();
        for (String name : series) {
            families.add(name.replaceAll("_(bucket|count|sum)$", ""));
        }
        Set<String> shown = new HashSet<>();
        for (String name : referenced) {
            shown.add(name.replaceAll("_(bucket|count|sum)$", ""));
        }
        families.removeAll(shown);
        assertTrue(families.isEmpty(), "registered but on no panel: " + families);
    }

    @Test
    void theRegistriesHoldBothSidesMetrics() {
        // A guard on the test itself: the series it compares against are really there.
        assertTrue(series.contains("distillery_teacher_requests_total"), series.toString());
        assertTrue(series.contains("distillery_teacher_queue_wait_seconds_bucket"), series.toString());
        assertTrue(series.contains("distillery_trainer_steps_total"), series.toString());
        assertTrue(series.contains("distillery_trainer_teacher_answer_seconds_bucket"), series.toString());
        assertFalse(series.contains("distillery_teacher_requests"), series.toString());
    }

    @Test
    void panelsUseThePrometheusDatasourceVariable() {
        JsonArray variables = dashboard.getAsJsonObject("templating").getAsJsonArray("list");
        JsonObject ds = null;
        for (JsonElement v : variables) {
            if ("DS_PROMETHEUS".equals(v.getAsJsonObject().get("name").getAsString())) {
                ds = v.getAsJsonObject();
            }
        }
        assertTrue(ds != null, "no DS_PROMETHEUS variable");
        assertEquals("datasource", ds.get("type").getAsString());
        assertEquals("prometheus", ds.get("query").getAsString());
        Set<Integer> ids = new HashSet<>();
        for (JsonObject panel : panels()) {
            assertTrue(ids.add(panel.get("id").getAsInt()), "panel id used twice: " + panel.get("id"));
            assertTrue(panel.has("gridPos"), "panel without gridPos: " + panel.get("title"));
            if ("row".equals(panel.get("type").getAsString())) {
                continue;
            }
            assertEquals("${DS_PROMETHEUS}", panel.getAsJsonObject("datasource").get("uid").getAsString(),
                    panel.get("title").getAsString());
            assertFalse(panel.getAsJsonArray("targets").isEmpty(), panel.get("title").getAsString());
        }
        assertEquals("distillery", dashboard.get("uid").getAsString());
    }
}
