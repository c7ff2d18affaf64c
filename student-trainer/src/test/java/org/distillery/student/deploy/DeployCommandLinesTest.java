package org.distillery.student.deploy;

import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1PodSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every command line that deploy files hand to teacher-server or student-trainer (compose commands and health
 * checks, Kubernetes container args, the Dockerfiles' CMD and HEALTHCHECK) is one the programs accept.
 */
@Timeout(180)
class DeployCommandLinesTest {
    @Test
    void theCheckRefusesWhatTheProgramsWouldRefuse() {
        new CommandLineCheck("ok", "teacher-server", List.of("--model", "m=m.onnx", "--grace-seconds", "5")).check();
        new CommandLineCheck("ok", "student-trainer", List.of("train", "--run-dir", "r", "--max-steps", "3")).check();
        for (CommandLineCheck bad : List.of(
                new CommandLineCheck("typo", "teacher-server", List.of("--model", "m=m.onnx", "--grace-second", "5")),
                new CommandLineCheck("type", "teacher-server", List.of("--model", "m=m.onnx", "--port", "x")),
                new CommandLineCheck("no model", "teacher-server", List.of("--device", "cpu")),
                new CommandLineCheck("device", "teacher-server", List.of("--model", "m=m.onnx", "--device", "tpu")),
                new CommandLineCheck("target", "teacher-server", List.of("health", "--target", "no-port")),
                new CommandLineCheck("typo", "student-trainer", List.of("train", "--run-dir", "r", "--max-step", "3")),
                new CommandLineCheck("kind", "student-trainer", List.of("train", "--run-dir", "r", "--student", "gpt")),
                new CommandLineCheck("teacher", "student-trainer", List.of("train", "--run-dir", "r", "--teacher",
                        "no-port")),
                new CommandLineCheck("subcommand", "student-trainer", List.of("--max-steps", "3")))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::check, bad.toString());
            assertTrue(e.getMessage().startsWith(bad.source() + ": "), e.getMessage());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeCommandsAndHealthChecks() throws Exception {
        Map<String, Object> services = (Map<String, Object>) DeployFiles.yamlFile(DeployFiles.deploy("compose.yaml"))
                .get("services");
        List<CommandLineCheck> found = new ArrayList<>();
        services.forEach((name, value) -> {
            Map<String, Object> service = (Map<String, Object>) value;
            String program = CommandLineCheck.programOfImage(DeployFiles.interpolate((String) service.get("image")));
            if (program == null) {
                return;
            }
            List<String> command = (List<String>) service.get("command");
            if (command != null) {
                found.add(new CommandLineCheck("compose " + name, program, command.stream()
                        .map(DeployFiles::interpolate).toList()));
            }
            Map<String, Object> health = (Map<String, Object>) service.get("healthcheck");
            if (health != null && health.get("test") != null) {
                List<String> test = (List<String>) health.get("test");
                List<String> words = test.get(0).equals("CMD-SHELL")
                        ? DeployFiles.shellWords(DeployFiles.interpolate(test.get(1)), Map.of())
                        : test.subList(1, test.size());
                CommandLineCheck check = CommandLineCheck.fromShellWords("compose " + name + " healthcheck", words);
                assertNotNull(check, "the health check of " + name + " runs one of the programs: " + test);
                found.add(check);
            }
        });
        // model, three teachers with their health checks, the trainer
        assertEquals(8, found.size(), found.toString());
        found.forEach(CommandLineCheck::check);
    }

    @Test
    void kubernetesContainerArgs() throws Exception {
        List<CommandLineCheck> found = new ArrayList<>();
        for (String dir : List.of("base", "overlays/gpu")) {
            KubernetesManifests built = KubernetesManifests.build(dir);
            for (V1Deployment d : built.all(V1Deployment.class)) {
                found.addAll(containerArgs(dir + " Deployment " + d.getMetadata().getName(),
                        d.getSpec().getTemplate().getSpec()));
            }
            for (V1Job j : built.all(V1Job.class)) {
                found.addAll(containerArgs(dir + " Job " + j.getMetadata().getName(),
                        j.getSpec().getTemplate().getSpec()));
            }
        }
        // per build: the teacher and its init container, the trainer and its init container
        assertEquals(8, found.size(), found.toString());
        found.forEach(CommandLineCheck::check);
    }

    private static List<CommandLineCheck> containerArgs(String source, V1PodSpec pod) {
        List<V1Container> all = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            all.addAll(pod.getInitContainers());
        }
        List<CommandLineCheck> found = new ArrayList<>();
        for (V1Container c : all) {
            String program = CommandLineCheck.programOfImage(c.getImage());
            assertNotNull(program, source + ": container " + c.getName() + " runs a distillery image: " + c.getImage());
            assertTrue(c.getCommand() == null || c.getCommand().isEmpty(),
                    "the image's entrypoint (bin/ launcher) runs: " + c.getName());
            assertNotNull(c.getArgs(), source + ": container " + c.getName() + " has args");
            found.add(new CommandLineCheck(source + " container " + c.getName(), program, c.getArgs()));
        }
        return found;
    }

    @Test
    void dockerfileCommandsAndHealthCheck() throws Exception {
        List<CommandLineCheck> found = new ArrayList<>();
        for (String program : List.of(CommandLineCheck.TEACHER, CommandLineCheck.TRAINER)) {
            Path file = DeployFiles.deploy("docker", program + ".Dockerfile");
            Dockerfile dockerfile = Dockerfile.read(file);
            List<String> entrypoint = dockerfile.jsonArray("ENTRYPOINT");
            assertEquals(List.of("/opt/distillery/bin/" + program), entrypoint);
            found.add(new CommandLineCheck(file.getFileName() + " CMD", program, dockerfile.jsonArray("CMD")));
            String health = dockerfile.last("HEALTHCHECK");
            if (!health.equals("NONE")) {
                String shell = health.substring(health.indexOf("CMD ") + 4);
                CommandLineCheck check = CommandLineCheck.fromShellWords(file.getFileName() + " HEALTHCHECK",
                        DeployFiles.shellWords(shell, dockerfile.env()));
                assertNotNull(check, "the HEALTHCHECK runs " + program + ": " + health);
                found.add(check);
            }
        }
        // two CMDs, the teacher's HEALTHCHECK; the trainer's CMD is --help, which the trainer parses as well
        assertEquals(3, found.size(), found.toString());
        found.stream().filter(c -> !c.args().equals(List.of("--help"))).forEach(CommandLineCheck::check);
    }
}
