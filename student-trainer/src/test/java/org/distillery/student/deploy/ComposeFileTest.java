package org.distillery.student.deploy;

import org.distillery.common.fleet.TeacherTarget;
import org.distillery.teacher.cli.TeacherServerMain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.distillery.student.deploy.KubernetesManifests.valueOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** deploy/compose.yaml and deploy/prometheus.yml: three healthy teachers, a trainer over all of them, Prometheus. */
@Timeout(60)
@SuppressWarnings("unchecked")
class ComposeFileTest {
    private static Map<String, Object> services;
    private static List<String> teachers;

    @BeforeAll
    static void read() throws Exception {
        Map<String, Object> compose = DeployFiles.yamlFile(DeployFiles.deploy("compose.yaml"));
        services = (Map<String, Object>) compose.get("services");
        teachers = services.keySet().stream().filter(n -> n.matches("teacher-\\d+")).sorted().toList();
        Set<String> declared = ((Map<String, Object>) compose.get("volumes")).keySet();
        for (String name : services.keySet()) {
            for (String mount : volumes(name)) {
                String source = mount.split(":")[0];
                assertTrue(source.startsWith(".") || declared.contains(source), name + " mounts volume " + source
                        + ", which is not declared");
            }
        }
    }

    private static Map<String, Object> service(String name) {
        Map<String, Object> s = (Map<String, Object>) services.get(name);
        assertNotNull(s, "service " + name);
        return s;
    }

    private static List<String> command(String name) {
        return ((List<String>) service(name).get("command")).stream().map(DeployFiles::interpolate).toList();
    }

    private static List<String> volumes(String name) {
        Object v = service(name).get("volumes");
        return v == null ? List.of() : (List<String>) v;
    }

    private static Map<String, Object> dependsOn(String name) {
        return (Map<String, Object>) service(name).get("depends_on");
    }

    private static String condition(String service, String dependency) {
        Map<String, Object> d = (Map<String, Object>) dependsOn(service).get(dependency);
        assertNotNull(d, service + " depends on " + dependency);
        return (String) d.get("condition");
    }

    @Test
    void threeTeachersWithHealthChecksServeTheModelTheModelServiceWrites() {
        assertEquals(List.of("teacher-1", "teacher-2", "teacher-3"), teachers);
        List<String> model = command("model");
        assertEquals("example-teacher", model.get(0));
        assertEquals("/models", valueOf(model, "--out"));
        assertTrue(volumes("model").contains("models:/models"), volumes("model").toString());
        for (String t : teachers) {
            assertEquals(CommandLineCheck.TEACHER, CommandLineCheck.programOfImage(DeployFiles.interpolate(
                    (String) service(t).get("image"))));
            Map<String, Object> health = (Map<String, Object>) service(t).get("healthcheck");
            assertNotNull(health, t + " has a health check");
            assertFalse(Boolean.TRUE.equals(health.get("disable")));
            assertTrue(String.join(" ", (List<String>) health.get("test")).contains("teacher-server health"),
                    health.toString());
            assertEquals("service_completed_successfully", condition(t, "model"));
            assertTrue(volumes(t).contains("models:/models:ro"), volumes(t).toString());
            assertTrue(valueOf(command(t), "--model").contains("=/models/"), command(t).toString());
            int grace = Integer.parseInt(valueOf(command(t), "--grace-seconds"));
            String stop = (String) service(t).get("stop_grace_period");
            assertTrue(stop.matches("\\d+s") && Integer.parseInt(stop.replace("s", "")) >= grace + 5,
                    t + ": stop_grace_period " + stop + " leaves headroom after --grace-seconds " + grace);
        }
    }

    @Test
    void theTrainerWaitsForHealthyTeachersAndUsesEveryOne() {
        assertEquals(new TreeSet<>(teachers), new TreeSet<>(dependsOn("trainer").keySet()));
        for (String t : teachers) {
            assertEquals("service_healthy", condition("trainer", t));
        }
        String port = new CommandLine(new TeacherServerMain()).getCommandSpec().findOption("--port").defaultValue();
        for (String t : teachers) {
            assertFalse(command(t).contains("--port"), t + " listens on the default port " + port);
        }
        List<String> trainer = command("trainer");
        assertEquals("train", trainer.get(0));
        TeacherTarget target = TeacherTarget.parse("--teacher", valueOf(trainer, "--teacher"));
        assertEquals(teachers.stream().map(t -> t + ":" + port).toList(), target.endpoints());
        assertEquals("tiny", valueOf(trainer, "--dataset"), "a dataset that needs no network");
        assertTrue(valueOf(trainer, "--tokenizer").startsWith("/models/"), "the teachers' tokenizer");
        assertTrue(volumes("trainer").contains("models:/models:ro"), volumes("trainer").toString());
    }

    @Test
    void prometheusIsOptionalAndScrapesEveryMetricsPort() throws Exception {
        Map<String, Object> prometheus = service("prometheus");
        assertEquals(List.of("metrics"), prometheus.get("profiles"));
        services.keySet().stream().filter(n -> !n.equals("prometheus"))
                .forEach(n -> assertNull(service(n).get("profiles"), n + " runs without a profile"));
        assertTrue(volumes("prometheus").stream().anyMatch(v -> v.startsWith("./prometheus.yml:")),
                volumes("prometheus").toString());

        Set<String> expected = new HashSet<>();
        for (String t : teachers) {
            expected.add(t + ":" + valueOf(command(t), "--metrics-port"));
        }
        expected.add("trainer:" + valueOf(command("trainer"), "--metrics-port"));
        Map<String, Object> config = DeployFiles.yamlFile(DeployFiles.deploy("prometheus.yml"));
        Set<String> scraped = new HashSet<>();
        List<String> jobs = new ArrayList<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            jobs.add((String) job.get("job_name"));
            for (Map<String, Object> group : (List<Map<String, Object>>) job.get("static_configs")) {
                scraped.addAll((List<String>) group.get("targets"));
            }
        }
        assertEquals(expected, scraped, "jobs " + jobs);
        assertTrue(Files.isRegularFile(DeployFiles.deploy("prometheus.yml")));
    }
}
