package org.distillery.student.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.distillery.student.client.TeacherLinkListener;

/** The link to the teacher fleet as the client reports it, recorded in Prometheus metrics. Thread-safe. */
final class LinkMetrics implements TeacherLinkListener {
    static final String REQUESTS = "distillery_trainer_teacher_requests";
    static final String ANSWERS = "distillery_trainer_teacher_answers";
    static final String ANSWER_SECONDS = "distillery_trainer_teacher_answer_seconds";
    static final String STREAM_FAILURES = "distillery_trainer_teacher_stream_failures";
    static final String RESENDS = "distillery_trainer_teacher_resends";
    static final String IN_FLIGHT = "distillery_trainer_teacher_in_flight";
    /** Upper bounds in seconds of answer latency: 1 ms to 30 s. */
    static final double[] SECONDS_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
            10, 30};

    private final Counter requests;
    private final Counter answers;
    private final Histogram answerSeconds;
    private final Counter streamFailures;
    private final Counter resends;
    private final Gauge inFlight;

    LinkMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name(REQUESTS + "_total").help("Requests sent to each teacher endpoint")
                .labelNames("endpoint").withoutExemplars().register(registry);
        answers = Counter.builder().name(ANSWERS + "_total").help("Answers received from each teacher endpoint")
                .labelNames("endpoint").withoutExemplars().register(registry);
        answerSeconds = Histogram.builder().name(ANSWER_SECONDS)
                .help("Seconds from sending a request to its answer, per teacher endpoint").labelNames("endpoint")
                .classicOnly().classicUpperBounds(SECONDS_BUCKETS).withoutExemplars().register(registry);
        streamFailures = Counter.builder().name(STREAM_FAILURES + "_total")
                .help("Streams to a teacher endpoint that failed, by gRPC status code")
                .labelNames("endpoint", "code").withoutExemplars().register(registry);
        resends = Counter.builder().name(RESENDS + "_total")
                .help("Requests of dead streams sent again to the rest of the fleet").withoutExemplars()
                .register(registry);
        inFlight = Gauge.builder().name(IN_FLIGHT).help("Teacher requests sent and not yet answered")
                .withoutExemplars().register(registry);
    }

    @Override
    public void sent(String endpoint) {
        requests.labelValues(endpoint).inc();
    }

    @Override
    public void answered(String endpoint, double seconds) {
        answers.labelValues(endpoint).inc();
        answerSeconds.labelValues(endpoint).observe(seconds);
    }

    @Override
    public void streamFailed(String endpoint, String code) {
        streamFailures.labelValues(endpoint, code).inc();
    }

    @Override
    public void resent(int count) {
        if (count > 0) {
            resends.inc(count);
        }
    }

    @Override
    public void inFlight(int count) {
        inFlight.set(count);
    }
}
