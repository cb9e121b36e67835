package io.worldgate.gateway.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@code GET /metrics} endpoint in the Prometheus text format, served from a
 * {@link MetricsRegistry} by the JDK's built-in HTTP server on one daemon thread. Binds to
 * 127.0.0.1 unless given another address; given a token, every request must carry
 * {@code Authorization: Bearer <token>} (else 401). Anything other than {@code /metrics} gets
 * 404, any method other than GET or HEAD gets 405. Close it to free the port.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    /** The content type of the Prometheus text exposition format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    public static final String PATH = "/metrics";
    private static final Logger LOG = LoggerFactory.getLogger(PrometheusEndpoint.class);

    private final HttpServer server;
    private final ExecutorService executor;
    private final MetricsRegistry registry;
    private final byte[] expectedAuthorization;

    private PrometheusEndpoint(HttpServer server, ExecutorService executor, MetricsRegistry registry, String token) {
        this.server = server;
        this.executor = executor;
        this.registry = registry;
        this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** Serves on 127.0.0.1:{@code port} (0 picks a free port; see {@link #address}). */
    public static PrometheusEndpoint start(MetricsRegistry registry, int port) throws IOException {
        return start(registry, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    }

    /** Serves on {@code address} to anyone who reaches it. */
    public static PrometheusEndpoint start(MetricsRegistry registry, InetSocketAddress address) throws IOException {
        return start(registry, address, null);
    }

    /**
     * Serves on {@code address}; with a {@code token} (null for none), only to requests bearing it.
     * Without one, binding beyond loopback shows run ids and returns to that network.
     */
    public static PrometheusEndpoint start(MetricsRegistry registry, InetSocketAddress address, String token) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        // a few threads: one client that opens a connection and sends nothing must not stop the scrapes
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "worldgate-prometheus");
            t.setDaemon(true);
            return t;
        });
        PrometheusEndpoint endpoint = new PrometheusEndpoint(server, executor, registry, token);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("Prometheus metrics at {}", endpoint.uri());
        return endpoint;
    }

    /** The bound address (with the actual port). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** {@code http://host:port/metrics}. */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + a.getPort() + PATH);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!authorized(exchange)) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                reply(exchange, 401, "text/plain; charset=utf-8", "send 'Authorization: Bearer <token>'\n", method);
            } else if (!PATH.equals(exchange.getRequestURI().getPath())) {
                reply(exchange, 404, "text/plain; charset=utf-8", "not found; metrics are at " + PATH + "\n", method);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(exchange, 405, "text/plain; charset=utf-8", "use GET\n", method);
            } else {
                String body;
                try {
                    body = registry.scrape();
                } catch (RuntimeException e) {
                    LOG.warn("metrics scrape failed", e);
                    reply(exchange, 500, "text/plain; charset=utf-8", "scrape failed: " + e + "\n", method);
                    return;
                }
                reply(exchange, 200, CONTENT_TYPE, body, method);
            }
        }
    }

    private boolean authorized(HttpExchange exchange) {
        if (expectedAuthorization == null) {
            return true;
        }
        String given = exchange.getRequestHeaders().getFirst("Authorization");
        // Constant time, like the gRPC token check.
        return given != null && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpExchange exchange, int status, String contentType, String body, String method)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if (method.equals("HEAD")) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops serving at once and frees the port. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
