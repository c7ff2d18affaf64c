package org.distillery.common.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.distillery.common.testing.Scrape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class MetricsHttpServerTest {
    private MetricsHttpServer server;
    private MetricsHttpServer other;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (other != null) {
            other.close();
        }
    }

    @Test
    void servesItsOwnRegistryOnAnEphemeralPort() throws Exception {
        PrometheusRegistry mine = new PrometheusRegistry();
        Counter hits = Counter.builder().name("test_hits_total").help("hits").labelNames("kind").register(mine);
        hits.labelValues("a").inc(3);
        PrometheusRegistry theirs = new PrometheusRegistry();
        Counter.builder().name("test_hits_total").help("hits").register(theirs).inc(7);
        server = MetricsHttpServer.start("127.0.0.1", 0, mine);
        other = MetricsHttpServer.start("127.0.0.1", 0, theirs);
        assertTrue(server.port() > 0 && server.port() != other.port());
        assertTrue(server.url().endsWith(":" + server.port() + "/metrics"), server.url());
        Scrape scrape = Scrape.of(server.port());
        assertEquals(3.0, scrape.value("test_hits_total", "kind", "a"));
        assertFalse(scrape.has("test_hits_total"), "the other registry's series must not appear");
        assertEquals(7.0, Scrape.of(other.port()).value("test_hits_total"));
    }

    @Test
    void aPortInUseIsOneLineNamingTheOptionAndThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            IOException e = assertThrows(IOException.class,
                    () -> MetricsHttpServer.start("127.0.0.1", port, new PrometheusRegistry()));
            assertTrue(e.getMessage().contains("--metrics-port " + port), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
    }

    @Test
    void aPortOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MetricsHttpServer.start(null, 70000, new PrometheusRegistry()));
        assertTrue(e.getMessage().contains("--metrics-port"), e.getMessage());
    }

    @Test
    void closingTwiceIsHarmless() throws Exception {
        server = MetricsHttpServer.start("127.0.0.1", 0, new PrometheusRegistry());
        server.close();
        server.close();
    }
}
