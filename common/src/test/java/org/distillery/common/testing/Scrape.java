package org.distillery.common.testing;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scrape of a {@code /metrics} endpoint in the Prometheus text format, parsed into samples, for tests that check
 * what a real scraper would see.
 *
 * @param samples every sample line, in order
 */
public record Scrape(List<Sample> samples) {
    /**
     * One sample line.
     *
     * @param name   the series name ({@code ..._total}, {@code ..._bucket}, ...)
     * @param labels its labels
     * @param value  its value
     */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** Fetches {@code http://127.0.0.1:PORT/metrics} and parses it; fails unless the answer is 200. */
    public static Scrape of(int port) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics answered " + response.statusCode() + ": " + response.body());
        }
        return parse(response.body());
    }

    /** Parses the text format: {@code name{k="v",...} value}; comment lines are skipped. */
    public static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.indexOf(' ');
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            String rest;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                int end = readLabels(line, brace + 1, labels);
                rest = line.substring(end + 1).trim();
            } else {
                name = line.substring(0, space);
                rest = line.substring(space + 1).trim();
            }
            String value = rest.split(" ")[0];
            samples.add(new Sample(name, labels, parseValue(value)));
        }
        return new Scrape(samples);
    }

    private static int readLabels(String line, int from, Map<String, String> labels) {
        int i = from;
        while (line.charAt(i) != '}') {
            int eq = line.indexOf('=', i);
            String key = line.substring(i, eq).trim();
            StringBuilder value = new StringBuilder();
            int j = eq + 2; // past ="
            while (line.charAt(j) != '"') {
                char c = line.charAt(j);
                if (c == '\\') {
                    char next = line.charAt(++j);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
                j++;
            }
            labels.put(key, value.toString());
            i = j + 1;
            if (line.charAt(i) == ',') {
                i++;
            }
        }
        return i;
    }

    private static double parseValue(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /**
     * The value of the series with exactly these labels, given as {@code key, value, key, value...}.
     *
     * @throws AssertionError when there is no such series
     */
    public double value(String name, String... labelPairs) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            wanted.put(labelPairs[i], labelPairs[i + 1]);
        }
        for (Sample s : samples) {
            if (s.name().equals(name) && s.labels().equals(wanted)) {
                return s.value();
            }
        }
        throw new AssertionError("no series " + name + wanted + " in the scrape; series named " + name + ": "
                + samples.stream().filter(s -> s.name().equals(name)).map(Sample::labels).toList());
    }

    /** True when some series of this name has exactly these labels. */
    public boolean has(String name, String... labelPairs) {
        try {
            value(name, labelPairs);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /** The sum over every series of this name (0 when there is none). */
    public double sum(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
    }

    /**
     * Every series name {@code registry} can expose once its metrics have data: counters as {@code NAME_total},
     * histograms and summaries as {@code NAME_bucket}/{@code _count}/{@code _sum} ({@code NAME} for summary
     * quantiles), everything else as {@code NAME}. Metrics without data points yet are included.
     */
    public static Set<String> seriesNames(PrometheusRegistry registry) {
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String base = snapshot.getMetadata().getPrometheusName();
            if (snapshot instanceof CounterSnapshot) {
                names.add(base + "_total");
            } else if (snapshot instanceof HistogramSnapshot) {
                names.add(base + "_bucket");
                names.add(base + "_count");
                names.add(base + "_sum");
            } else if (snapshot instanceof SummarySnapshot) {
                names.add(base);
                names.add(base + "_count");
                names.add(base + "_sum");
            } else {
                names.add(base);
            }
        }
        return names;
    }
}
