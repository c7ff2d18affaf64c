package org.distillery.teacher.server;

import io.grpc.Status;
import org.distillery.proto.v1.InferRequest;
import org.distillery.proto.v1.Tensor;
import org.distillery.teacher.metrics.TeacherMetrics;

/**
 * Counts each finished Infer call and InferStream request in the server's metrics, under the model it named (or
 * {@link TeacherMetrics#UNKNOWN_MODEL} for a name the server does not have) and the status code it ended with.
 */
final class RequestCounter {
    private final ModelRegistry registry;
    private final TeacherMetrics metrics;

    RequestCounter(ModelRegistry registry) {
        this.registry = registry;
        this.metrics = registry.metrics();
    }

    /** One request ended with {@code code}. */
    void count(InferRequest request, Status.Code code) {
        if (!metrics.enabled()) {
            return;
        }
        String model = registry.has(request.getModel()) ? request.getModel() : TeacherMetrics.UNKNOWN_MODEL;
        metrics.request(model, code, code == Status.Code.OK ? rows(request) : 0);
    }

    /** A request whose bytes could not be read ended with INVALID_ARGUMENT. */
    void countUnreadable() {
        metrics.request(TeacherMetrics.UNKNOWN_MODEL, Status.Code.INVALID_ARGUMENT, 0);
    }

    /** The examples of a request the server accepted: its texts, or the batch axis of its first input. */
    static int rows(InferRequest request) {
        if (request.getTextsCount() > 0) {
            return request.getTextsCount();
        }
        for (Tensor t : request.getInputsMap().values()) {
            return t.getShapeCount() == 0 ? 1 : (int) t.getShape(0);
        }
        return 0;
    }

    void streamOpened() {
        metrics.streamOpened();
    }

    void streamClosed() {
        metrics.streamClosed();
    }
}
