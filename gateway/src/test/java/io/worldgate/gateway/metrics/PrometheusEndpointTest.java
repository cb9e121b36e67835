package io.worldgate.gateway.metrics;

import static io.worldgate.gateway.metrics.MetricsRegistry.labels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.internal.metrics.RegistryMetricsWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PrometheusEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static RunStatus run(String id, RunState state, long step, double lastReturn) {
        return new RunStatus(id, state, "", "dreamer@1.0.0", step, 100_000, step / 1000, lastReturn, 1234.5, step / 10);
    }

    @Test
    void servesWellFormedExpositionOverLoopback() throws Exception {
        MetricsRegistry registry = new MetricsRegistry();
        RunMetricsExporter exporter = new RunMetricsExporter(registry);
        List<RunStatus> runs = new ArrayList<>(List.of(run("cartpole-1", RunState.RUNNING, 12_000, 310.25),
                run("walker \"2\"\\x\ny", RunState.PAUSED, 4_000, Double.NaN)));
        registry.beforeScrape(() -> exporter.publish(runs));
        try (RegistryMetricsWriter scalars = new RegistryMetricsWriter(registry, "cartpole-1")) {
            scalars.scalar("loss/model", 0.125, 12_000);
        }

        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
            assertThat(endpoint.address().getAddress().isLoopbackAddress()).isTrue();
            HttpResponse<String> response = get(endpoint.uri());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValue(PrometheusEndpoint.CONTENT_TYPE);
            Map<String, Map<Map<String, String>, Double>> samples = parse(response.body());

            assertThat(samples.get("worldgate_run_steps_total")).containsEntry(Map.of("run", "cartpole-1"), 12_000.0)
                    .containsEntry(Map.of("run", "walker \"2\"\\x\ny"), 4_000.0); // escaped on the wire
            assertThat(samples.get("worldgate_run_steps_per_second")).containsEntry(Map.of("run", "cartpole-1"), 1234.5);
            assertThat(samples.get("worldgate_run_episode_return").get(Map.of("run", "cartpole-1"))).isEqualTo(310.25);
            assertThat(samples.get("worldgate_run_episode_return").get(Map.of("run", "walker \"2\"\\x\ny"))).isNaN();
            assertThat(samples.get("worldgate_runs")).containsEntry(Map.of("state", "RUNNING"), 1.0)
                    .containsEntry(Map.of("state", "PAUSED"), 1.0).containsEntry(Map.of("state", "FAILED"), 0.0)
                    .hasSize(RunState.values().length);
            assertThat(samples.get("worldgate_run_scalar"))
                    .containsEntry(Map.of("run", "cartpole-1", "tag", "loss/model"), 0.125);
            assertThat(response.body()).contains("# TYPE worldgate_run_steps_total counter\n",
                    "# TYPE worldgate_runs gauge\n");

            // A run that is gone loses its series; counters never go down.
            runs.remove(1);
            runs.set(0, run("cartpole-1", RunState.FINISHED, 11_000, 400));
            Map<String, Map<Map<String, String>, Double>> later = parse(get(endpoint.uri()).body());
            assertThat(later.get("worldgate_run_steps_total")).containsOnlyKeys(Map.of("run", "cartpole-1"))
                    .containsEntry(Map.of("run", "cartpole-1"), 12_000.0);
            assertThat(later.get("worldgate_runs")).containsEntry(Map.of("state", "FINISHED"), 1.0)
                    .containsEntry(Map.of("state", "RUNNING"), 0.0);

            URI base = endpoint.uri();
            assertThat(get(base.resolve("/other")).statusCode()).isEqualTo(404);
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(base).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
            HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(base).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void givenATokenItServesOnlyRequestsBearingIt() throws Exception {
        MetricsRegistry registry = new MetricsRegistry();
        RunMetricsExporter exporter = new RunMetricsExporter(registry);
        registry.beforeScrape(() -> exporter.publish(List.of(run("cartpole-1", RunState.RUNNING, 12_000, 310.25))));
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry,
                new java.net.InetSocketAddress(java.net.InetAddress.getByName("0.0.0.0"), 0), "s3cret")) {
            URI uri = URI.create("http://127.0.0.1:" + endpoint.address().getPort() + PrometheusEndpoint.PATH);
            HttpResponse<String> none = get(uri);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(none.body()).doesNotContain("cartpole-1");
            assertThat(HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer guess").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            HttpResponse<String> right = HTTP.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(right.body()).contains("worldgate_run_steps_total{run=\"cartpole-1\"} 12000");
        }
    }

    @Test
    void registryRules() {
        MetricsRegistry registry = new MetricsRegistry();
        MetricsRegistry.Counter c = registry.counter("x_total", "An x.", labels("run", "a"));
        c.inc(2);
        c.advanceTo(1);
        c.advanceTo(5);
        assertThat(registry.value("x_total", labels("run", "a"))).hasValue(5);
        assertThat(registry.counter("x_total", "ignored", labels("run", "a"))).isSameAs(c);
        assertThatThrownBy(() -> c.inc(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> registry.gauge("x_total", "", Map.of())).hasMessageContaining("counter");
        assertThatThrownBy(() -> registry.counter("steps", "", Map.of())).hasMessageContaining("_total");
        assertThatThrownBy(() -> registry.gauge("bad-name", "", Map.of())).hasMessageContaining("metric name");
        assertThatThrownBy(() -> registry.gauge("g", "", labels("__reserved", "v"))).hasMessageContaining("label name");

        MetricsRegistry.Gauge g = registry.gauge("g", "A g.\nSecond line \\ here.", labels("b", "2", "a", "1"));
        g.set(1.5);
        g.add(-0.25);
        assertThat(registry.gauge("g", "", labels("a", "1", "b", "2"))).isSameAs(g); // label order does not matter
        registry.gauge("h", "Computed at scrape.", Map.of(), () -> 42);
        registry.gauge("broken", "Throws.", Map.of(), () -> {
            throw new IllegalStateException("source gone");
        });
        assertThat(registry.scrape()).isEqualTo("""
                # HELP g A g.\\nSecond line \\\\ here.
                # TYPE g gauge
                g{a="1",b="2"} 1.25
                # HELP h Computed at scrape.
                # TYPE h gauge
                h 42
                # HELP x_total An x.
                # TYPE x_total counter
                x_total{run="a"} 5
                """);
        assertThat(registry.removeAll("run", "a")).isEqualTo(1);
        assertThat(registry.scrape()).doesNotContain("x_total");
        assertThat(MetricsRegistry.number(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(MetricsRegistry.number(1e-7)).isEqualTo("1.0E-7");
    }

    private static HttpResponse<String> get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------------------------------
    // A strict reader of the text format: every line must be a HELP, a TYPE or a sample line, each
    // family's HELP and TYPE come once and before its samples, and a family's samples are together.

    private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)");
    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)");

    static Map<String, Map<Map<String, String>, Double>> parse(String body) {
        assertThat(body).endsWith("\n");
        Map<String, Map<Map<String, String>, Double>> families = new LinkedHashMap<>();
        Map<String, String> types = new HashMap<>();
        Set<String> helped = new HashSet<>();
        Set<String> closed = new HashSet<>();
        String current = null;
        for (String line : body.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            Matcher comment = COMMENT.matcher(line);
            Matcher sample = SAMPLE.matcher(line);
            if (comment.matches()) {
                String name = comment.group(2);
                assertThat(families).as("HELP/TYPE before samples: " + line).doesNotContainKey(name);
                if (comment.group(1).equals("HELP")) {
                    assertThat(helped.add(name)).as("one HELP: " + line).isTrue();
                } else {
                    assertThat(comment.group(3)).isIn("counter", "gauge");
                    assertThat(types.put(name, comment.group(3))).as("one TYPE: " + line).isNull();
                }
            } else if (sample.matches()) {
                String name = sample.group(1);
                assertThat(types).as("TYPE line for " + name).containsKey(name);
                if (!name.equals(current)) {
                    assertThat(closed).as("samples of " + name + " together").doesNotContain(name);
                    if (current != null) {
                        closed.add(current);
                    }
                    current = name;
                }
                Map<String, String> labels = sample.group(2) == null ? Map.of() : parseLabels(sample.group(2));
                String v = sample.group(3);
                double value = switch (v) {
                    case "NaN" -> Double.NaN;
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(v);
                };
                Double previous = families.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(labels, value);
                assertThat(previous).as("one sample per series: " + line).isNull();
            } else {
                throw new AssertionError("not a Prometheus text line: " + line);
            }
        }
        return families;
    }

    /** {@code a="x",b="y \" \\ \n"} with the format's three escapes. */
    private static Map<String, String> parseLabels(String text) {
        Map<String, String> labels = new TreeMap<>();
        int i = 0;
        while (i < text.length()) {
            int eq = text.indexOf("=\"", i);
            assertThat(eq).as("label in " + text).isPositive();
            String name = text.substring(i, eq);
            assertThat(name).matches("[a-zA-Z_][a-zA-Z0-9_]*");
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; text.charAt(j) != '"'; j++) {
                char c = text.charAt(j);
                if (c == '\\') {
                    char e = text.charAt(++j);
                    value.append(switch (e) {
                        case '\\' -> '\\';
                        case '"' -> '"';
                        case 'n' -> '\n';
                        default -> throw new AssertionError("bad escape \\" + e + " in " + text);
                    });
                } else {
                    value.append(c);
                }
            }
            labels.put(name, value.toString());
            i = j + 1;
            if (i < text.length()) {
                assertThat(text.charAt(i)).as("comma between labels in " + text).isEqualTo(',');
                i++;
            }
        }
        return labels;
    }
}
