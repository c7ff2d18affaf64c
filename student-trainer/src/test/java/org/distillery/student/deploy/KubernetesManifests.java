package org.distillery.student.deploy;

import com.google.gson.Gson;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A kustomize build parsed into client-java's typed models. Each document goes through its kind's
 * {@code fromJson}, which refuses fields the Kubernetes API does not define (a misspelt field would otherwise be
 * dropped by the API server without a word).
 *
 * @param objects every object, in the build's order
 */
record KubernetesManifests(List<Object> objects) {
    /** The typed model of each kind the manifests use, by {@code apiVersion/kind}. */
    private static final Map<String, Parser> PARSERS = Map.of(
            "v1/Namespace", V1Namespace::fromJson,
            "v1/Service", V1Service::fromJson,
            "apps/v1/Deployment", V1Deployment::fromJson,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::fromJson,
            "autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler::fromJson,
            "batch/v1/Job", V1Job::fromJson);

    /** A model's {@code fromJson}. */
    @FunctionalInterface
    interface Parser {
        Object parse(String json) throws java.io.IOException;
    }

    /** {@code kubectl kustomize deploy/k8s/DIR}, parsed. */
    static KubernetesManifests build(String dir) throws Exception {
        List<Object> objects = new ArrayList<>();
        for (Object doc : DeployFiles.yamlDocuments(DeployFiles.kustomize(dir))) {
            objects.add(parse(new Gson().toJson(doc)));
        }
        return new KubernetesManifests(objects);
    }

    /** One object from its JSON, with the typed model of its apiVersion and kind. */
    static Object parse(String json) throws java.io.IOException {
        Map<?, ?> header = new Gson().fromJson(json, Map.class);
        String key = header.get("apiVersion") + "/" + header.get("kind");
        Parser parser = PARSERS.get(key);
        if (parser == null) {
            fail("no typed model for " + key + " in this test: add one to KubernetesManifests.PARSERS");
        }
        return parser.parse(json);
    }

    /** The one object of a type, e.g. the Deployment. */
    <T> T only(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            fail("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    <T> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** The container of that name in a pod spec (init containers included). */
    static V1Container container(V1PodSpec pod, String name) {
        List<V1Container> all = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            all.addAll(pod.getInitContainers());
        }
        return all.stream().filter(c -> c.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no container '" + name + "' in " + all.stream()
                        .map(V1Container::getName).toList()));
    }

    /** The value after {@code option} in {@code args}; fails when the option is missing. */
    static String valueOf(List<String> args, String option) {
        int i = args.indexOf(option);
        if (i < 0 || i == args.size() - 1) {
            fail(option + " with a value is not in " + args);
        }
        return args.get(i + 1);
    }
}
