package org.distillery.common.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.net.BindException;

/**
 * {@code /metrics} of one registry over plain HTTP (the JDK's HTTP server, on daemon threads), in the Prometheus text
 * format (or OpenMetrics, when the scraper asks for it). {@code /-/healthy} answers too.
 */
public final class MetricsHttpServer implements AutoCloseable {
    /** The command-line option that turns the endpoint on, named in errors. */
    public static final String OPTION = "--metrics-port";

    private final HTTPServer server;
    private final String host;
    private boolean closed;

    private MetricsHttpServer(HTTPServer server, String host) {
        this.server = server;
        this.host = host;
    }

    /**
     * Starts serving {@code registry}.
     *
     * @param host where to listen; null or {@code 0.0.0.0} for every interface
     * @param port the port; 0 picks a free one (see {@link #port()})
     * @throws IOException with one line naming {@value #OPTION} and the port when it cannot listen
     */
    public static MetricsHttpServer start(String host, int port, PrometheusRegistry registry) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(OPTION + " must be in [0, 65535], got " + port);
        }
        HTTPServer.Builder builder = HTTPServer.builder().port(port).registry(registry);
        if (host != null) {
            builder.hostname(host);
        }
        String where = (host == null ? "port " : host + ":") + port + " (" + OPTION + " " + port + "): ";
        try {
            return new MetricsHttpServer(builder.buildAndStart(), host == null ? "0.0.0.0" : host);
        } catch (BindException e) {
            throw new IOException("cannot serve metrics on " + where + e.getMessage()
                    + "; pick another port, or 0 for a free one", e);
        } catch (IOException | RuntimeException e) {
            throw new IOException("cannot serve metrics on " + where + e.getMessage(), e);
        }
    }

    /** The bound port (the one picked, when started on port 0). */
    public int port() {
        return server.getPort();
    }

    /** Where scrapers find the metrics, e.g. {@code http://0.0.0.0:9464/metrics}. */
    public String url() {
        return "http://" + host + ":" + port() + "/metrics";
    }

    /** Stops listening; idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            server.close();
        }
    }
}
