package org.distillery.student.deploy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1ContainerPort;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1GRPCAction;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Probe;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1Toleration;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import org.distillery.proto.v1.TeacherServiceGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;

import static org.distillery.student.deploy.KubernetesManifests.container;
import static org.distillery.student.deploy.KubernetesManifests.valueOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/k8s built with {@code kubectl kustomize} (skipped where kubectl is missing), every object parsed with
 * client-java's typed models, which refuse unknown fields, and the settings that matter checked.
 */
@Timeout(180)
class KubernetesManifestsTest {
    private static final String HEALTH_SERVICE = TeacherServiceGrpc.SERVICE_NAME;

    @Test
    void theTypedParsingRefusesUnknownFields() throws Exception {
        KubernetesManifests base = KubernetesManifests.build("base");
        JsonObject deployment = JsonParser.parseString(base.only(V1Deployment.class).toJson()).getAsJsonObject();
        KubernetesManifests.parse(deployment.toString()); // as built: accepted

        JsonObject misspeltDeep = deployment.deepCopy();
        misspeltDeep.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("spec")
                .getAsJsonArray("containers").get(0).getAsJsonObject().add("livenesProbe", new JsonObject());
        Exception deep = assertThrows(Exception.class, () -> KubernetesManifests.parse(misspeltDeep.toString()));
        assertTrue(deep.getMessage().contains("livenesProbe"), deep.getMessage());

        JsonObject misspeltTop = deployment.deepCopy();
        misspeltTop.getAsJsonObject("spec").addProperty("replica", 3);
        Exception top = assertThrows(Exception.class, () -> KubernetesManifests.parse(misspeltTop.toString()));
        assertTrue(top.getMessage().contains("replica"), top.getMessage());
    }

    @Test
    void baseTeachersProbeTheTeacherServiceOverGrpcAndDrainWithinTheirGracePeriod() throws Exception {
        KubernetesManifests base = KubernetesManifests.build("base");
        V1Deployment deployment = base.only(V1Deployment.class);
        V1PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        V1Container teacher = container(pod, "teacher-server");
        assertTrue(teacher.getImage().startsWith("distillery/teacher-server"), teacher.getImage());
        List<String> args = teacher.getArgs();

        int grpcPort = port(teacher, "grpc");
        for (V1Probe probe : new V1Probe[]{teacher.getReadinessProbe(), teacher.getLivenessProbe(),
                teacher.getStartupProbe()}) {
            assertNotNull(probe, "readiness, liveness and startup probes");
            V1GRPCAction grpc = probe.getGrpc();
            assertNotNull(grpc, "native gRPC probe: " + probe);
            assertNull(probe.getHttpGet());
            assertNull(probe.getExec());
            assertNull(probe.getTcpSocket());
            assertEquals(grpcPort, grpc.getPort());
            assertEquals(HEALTH_SERVICE, grpc.getService());
        }
        assertFalse(args.contains("--port"), "the server listens on its default port, the probes' " + grpcPort);
        assertEquals(50051, grpcPort);

        int grace = Integer.parseInt(valueOf(args, "--grace-seconds"));
        long termination = pod.getTerminationGracePeriodSeconds();
        assertTrue(termination >= grace + 5, "terminationGracePeriodSeconds " + termination + " leaves headroom "
                + "after --grace-seconds " + grace);
        assertTrue(Long.parseLong(valueOf(args, "--max-connection-age-seconds")) > 0);
        assertEquals("cpu", valueOf(args, "--device"));

        String metricsPort = valueOf(args, "--metrics-port");
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(metricsPort, annotations.get("prometheus.io/port"));
        assertEquals(Integer.parseInt(metricsPort), port(teacher, "metrics"));

        assertNotNull(teacher.getResources().getRequests().get("cpu"), "a CPU request (the HPA needs one)");
        assertNotNull(teacher.getResources().getRequests().get("memory"));
        assertNotNull(teacher.getResources().getLimits().get("memory"));
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(deployment.getSpec().getReplicas() >= 2);
    }

    @Test
    void baseServicePdbHpaAndJobFitTogether() throws Exception {
        KubernetesManifests base = KubernetesManifests.build("base");
        V1Deployment deployment = base.only(V1Deployment.class);
        Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();

        V1Service service = base.only(V1Service.class);
        assertEquals("None", service.getSpec().getClusterIP(), "headless");
        assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
                "the Service selects the teacher pods: " + service.getSpec().getSelector());
        int servicePort = service.getSpec().getPorts().stream().filter(p -> "grpc".equals(p.getName()))
                .findFirst().orElseThrow().getPort();

        V1PodDisruptionBudget pdb = base.only(V1PodDisruptionBudget.class);
        assertTrue(podLabels.entrySet().containsAll(pdb.getSpec().getSelector().getMatchLabels().entrySet()));
        assertNotNull(pdb.getSpec().getMaxUnavailable());

        V2HorizontalPodAutoscaler hpa = base.only(V2HorizontalPodAutoscaler.class);
        assertEquals("Deployment", hpa.getSpec().getScaleTargetRef().getKind());
        assertEquals(deployment.getMetadata().getName(), hpa.getSpec().getScaleTargetRef().getName());
        assertTrue(hpa.getSpec().getMinReplicas() >= 2 && hpa.getSpec().getMaxReplicas() > hpa.getSpec()
                .getMinReplicas());

        V1Job job = base.only(V1Job.class);
        V1Container trainer = container(job.getSpec().getTemplate().getSpec(), "student-trainer");
        assertTrue(trainer.getImage().startsWith("distillery/student-trainer"), trainer.getImage());
        String namespace = service.getMetadata().getNamespace();
        assertNotNull(namespace, "the base sets a namespace");
        assertEquals(namespace, job.getMetadata().getNamespace());
        assertEquals("dns:///" + service.getMetadata().getName() + "." + namespace + ".svc.cluster.local:"
                + servicePort, valueOf(trainer.getArgs(), "--teacher"));
        assertEquals("train", trainer.getArgs().get(0));
        assertEquals("Never", job.getSpec().getTemplate().getSpec().getRestartPolicy());
        assertTrue(job.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot());
    }

    @Test
    void gpuOverlayGivesEachTeacherAGpuAndCuda0() throws Exception {
        KubernetesManifests gpu = KubernetesManifests.build("overlays/gpu");
        V1PodSpec pod = gpu.only(V1Deployment.class).getSpec().getTemplate().getSpec();
        V1Container teacher = container(pod, "teacher-server");
        assertEquals(new Quantity("1"), teacher.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals("cuda:0", valueOf(teacher.getArgs(), "--device"));
        assertEquals(1, teacher.getArgs().stream().filter("--device"::equals).count());
        assertTrue(pod.getTolerations().stream().map(V1Toleration::getKey).anyMatch("nvidia.com/gpu"::equals));
        // the rest of the base comes through unchanged
        assertEquals(HEALTH_SERVICE, teacher.getReadinessProbe().getGrpc().getService());
        assertEquals(1, gpu.all(V1Job.class).size());
        assertEquals(1, gpu.all(V1Service.class).size());
    }

    private static int port(V1Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).findFirst()
                .map(V1ContainerPort::getContainerPort)
                .orElseThrow(() -> new AssertionError("no port named " + name + " on " + container.getName()));
    }
}
