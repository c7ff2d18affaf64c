package org.distillery.student.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/docker/*.Dockerfile: multi-stage with a public JRE 17 base by default, a Maven build or host-built jars
 * (PREBUILT), a non-root numeric user, the bin/ launchers as entrypoints, the teacher's health check; and a
 * .dockerignore that lets exactly the prebuilt outputs through.
 */
@Timeout(60)
class DockerfilesTest {
    private static final List<String> PROGRAMS = List.of(CommandLineCheck.TEACHER, CommandLineCheck.TRAINER);

    private static Dockerfile read(String program) throws Exception {
        return Dockerfile.read(DeployFiles.deploy("docker", program + ".Dockerfile"));
    }

    @Test
    void multiStageOnAPublicJreWithMavenOrPrebuiltJars() throws Exception {
        for (String program : PROGRAMS) {
            Dockerfile d = read(program);
            List<String> from = d.all("FROM");
            assertEquals(List.of("${BUILDER} AS build", "${BASE}"), from, program);
            assertTrue(d.all("ARG").contains("BASE=eclipse-temurin:17-jre"), d.all("ARG").toString());
            assertTrue(d.all("ARG").stream().anyMatch(a -> a.startsWith("BUILDER=maven:")), d.all("ARG").toString());
            assertTrue(d.all("ARG").contains("PREBUILT=0"), d.all("ARG").toString());
            String build = d.all("RUN").get(0);
            assertTrue(build.contains("\"$PREBUILT\" = 1") && build.contains("mvn ") && build.contains("-pl "
                    + program), build);
            for (String part : List.of(program + ".jar", "classpath.txt", "lib")) {
                assertTrue(build.contains("$out/" + part), program + ": copies " + part + ": " + build);
            }
            assertTrue(d.all("COPY").contains("--from=build /out/ /opt/distillery/"), d.all("COPY").toString());
            for (String copy : d.all("COPY")) {
                if (!copy.startsWith("--from")) {
                    String source = copy.split(" ")[0];
                    assertTrue(Files.exists(DeployFiles.root().resolve(source)), program + ": COPY " + source);
                }
            }
        }
    }

    @Test
    void aNumericNonRootUserRunsTheLaunchers() throws Exception {
        for (String program : PROGRAMS) {
            Dockerfile d = read(program);
            String uid = d.all("ARG").stream().filter(a -> a.startsWith("UID=")).findFirst().orElseThrow()
                    .substring(4);
            assertTrue(Integer.parseInt(uid) > 0, uid);
            assertEquals("${UID}:${UID}", d.last("USER"), "numeric, so that runAsNonRoot can check it");
            Path launcher = DeployFiles.root().resolve("bin").resolve(program);
            assertEquals(List.of("/opt/distillery/" + DeployFiles.root().relativize(launcher)),
                    d.jsonArray("ENTRYPOINT"));
            assertTrue(Files.isExecutable(launcher), launcher.toString());
            assertTrue(Files.readString(launcher).contains("${JAVA_OPTS:-}"), "the launcher honours JAVA_OPTS");
        }
    }

    @Test
    void theTeacherImageChecksItsHealth() throws Exception {
        String health = read(CommandLineCheck.TEACHER).last("HEALTHCHECK");
        assertTrue(health.contains("CMD ") && health.contains("teacher-server health"), health);
        assertTrue(health.contains("|| exit 1"), "exit 2 is reserved by Docker: " + health);
        assertTrue(read(CommandLineCheck.TEACHER).all("EXPOSE").contains("50051 9400"));
        assertEquals("NONE", read(CommandLineCheck.TRAINER).last("HEALTHCHECK"));
    }

    @Test
    void dockerignoreLetsThroughSourcesAndThePrebuiltOutputsOnly() throws Exception {
        List<String> lines = Files.readAllLines(DeployFiles.root().resolve(".dockerignore")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertTrue(lines.contains(".git"));
        int targets = lines.indexOf("**/target/*");
        assertTrue(targets >= 0, lines.toString());
        for (String program : PROGRAMS) {
            for (String part : List.of(program + ".jar", "classpath.txt", "lib")) {
                int kept = lines.indexOf("!" + program + "/target/" + part);
                assertTrue(kept > targets, "re-included after **/target/*: " + program + "/target/" + part);
            }
        }
        assertFalse(lines.stream().anyMatch(l -> l.equals("bin") || l.startsWith("src") || l.equals("pom.xml")));
    }
}
