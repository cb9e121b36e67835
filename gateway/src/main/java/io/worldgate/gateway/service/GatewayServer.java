package io.worldgate.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.worldgate.gateway.service.internal.GatewayGrpcService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code worldgate serve}: the gateway's gRPC API on a socket. Binds to loopback unless told
 * otherwise; bound to any other address it requires a bearer token on every call.
 *
 * <p>While it runs, {@code <runs-dir>/.gateway.json} (readable by its owner only) says where it
 * listens and with which token, so the CLI on the same machine finds it.
 */
public final class GatewayServer implements AutoCloseable {
    /** The discovery file's name, in the runs directory. */
    public static final String DISCOVERY_FILE = ".gateway.json";
    /** Plugin jars can be large. */
    private static final int MAX_INBOUND_BYTES = 512 * 1024 * 1024;
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final Server server;
    private final Path discoveryFile;
    private final String token;
    private final String address;

    private GatewayServer(Server server, Path discoveryFile, String token, String address) {
        this.server = server;
        this.discoveryFile = discoveryFile;
        this.token = token;
        this.address = address;
    }

    /**
     * Starts serving {@code gateway} on {@code bindHost:port} (port 0: any free port).
     *
     * @param token the bearer token to require; null to generate one when not bound to loopback
     */
    public static GatewayServer start(Gateway gateway, String bindHost, int port, String token) throws IOException {
        InetAddress bind = InetAddress.getByName(bindHost);
        String required = token;
        if (required == null && !bind.isLoopbackAddress()) {
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            required = HexFormat.of().formatHex(random);
        }
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port))
                .maxInboundMessageSize(MAX_INBOUND_BYTES);
        GatewayGrpcService service = new GatewayGrpcService(gateway);
        builder.addService(required == null ? ServerInterceptors.intercept(service)
                : ServerInterceptors.intercept(service, new TokenCheck(required)));
        Server server = builder.build().start();
        String address = bind.getHostAddress() + ":" + server.getPort();
        Path discovery = gateway.runs().runsDirectory().resolve(DISCOVERY_FILE);
        writeDiscovery(discovery, address, required);
        return new GatewayServer(server, discovery, required, address);
    }

    private static void writeDiscovery(Path file, String address, String token) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("address", address);
        doc.put("pid", ProcessHandle.current().pid());
        if (token != null) {
            doc.put("token", token);
        }
        Path tmp = file.resolveSibling(DISCOVERY_FILE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, new ObjectMapper().writeValueAsString(doc), StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** {@code host:port} it listens on. */
    public String address() {
        return address;
    }

    public int port() {
        return server.getPort();
    }

    /** The token calls must carry, or null when none is required. */
    public String token() {
        return token;
    }

    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(discoveryFile);
        } catch (IOException ignored) {
            // A stale file names a dead pid; clients check it.
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Rejects calls without {@code authorization: Bearer <token>}. */
    private static final class TokenCheck implements ServerInterceptor {
        private final byte[] expected;

        TokenCheck(String token) {
            this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            String given = headers.get(AUTHORIZATION);
            // Constant-time comparison, so the token cannot be guessed byte by byte from timings.
            if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
                call.close(Status.UNAUTHENTICATED.withDescription("this gateway requires 'authorization: Bearer <token>'"
                        + " (printed by worldgate serve)"), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
        }
    }
}
