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
import io.worldgate.gateway.service.internal.GuardedService;
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
 * {@code worldgate serve}: the gateway's gRPC API on a socket. Every call, loopback included,
 * carries a bearer token: other users of a shared host are not trusted. Binds to loopback unless
 * told otherwise. Installing plugins over the API, which runs their code with the gateway's
 * rights, is refused unless allowed when starting.
 *
 * <p>While it runs, {@code <runs-dir>/.gateway.json} (readable by its owner only) says where it
 * listens and with which token, so the CLI of the same user on the same machine finds it.
 */
public final class GatewayServer implements AutoCloseable {
    /** The discovery file's name, in the runs directory. */
    public static final String DISCOVERY_FILE = ".gateway.json";
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

    /** As {@link #start(Gateway, String, int, String, boolean)}, refusing plugin installs. */
    public static GatewayServer start(Gateway gateway, String bindHost, int port, String token) throws IOException {
        return start(gateway, bindHost, port, token, false);
    }

    /**
     * Starts serving {@code gateway} on {@code bindHost:port} (port 0: any free port).
     *
     * @param token the bearer token to require; null to generate one
     * @param allowPluginInstall whether InstallPlugin and UninstallPlugin may change the deploy directory
     */
    public static GatewayServer start(Gateway gateway, String bindHost, int port, String token, boolean allowPluginInstall)
            throws IOException {
        InetAddress bind = InetAddress.getByName(bindHost);
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
        String required = token != null ? token.strip() : newToken();
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port))
                .maxInboundMessageSize(GuardedService.maxInboundBytes(allowPluginInstall))
                .maxConcurrentCallsPerConnection(ApiLimits.MAX_CONCURRENT_CALLS_PER_CONNECTION);
        builder.addService(ServerInterceptors.intercept(GuardedService.of(gateway, allowPluginInstall), new TokenCheck(required)));
        Server server = builder.build().start();
        String address = bind.getHostAddress() + ":" + server.getPort();
        Path discovery = gateway.runs().runsDirectory().resolve(DISCOVERY_FILE);
        writeDiscovery(discovery, address, required);
        return new GatewayServer(server, discovery, required, address);
    }

    /** 192 random bits, in hex. */
    public static String newToken() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static void writeDiscovery(Path file, String address, String token) throws IOException {
        Files.createDirectories(file.getParent());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("address", address);
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("token", token);
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

    /** The token calls must carry. */
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
                        + " (the CLI of the user who started it finds it in <runs-dir>/.gateway.json; others set WORLDGATE_TOKEN"
                        + " or --token-file)"), new Metadata());
                return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
        }
    }
}
