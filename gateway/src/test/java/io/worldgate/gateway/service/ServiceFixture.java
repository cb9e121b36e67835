package io.worldgate.gateway.service;

import static io.worldgate.gateway.host.HostFixture.await;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.worldgate.gateway.cli.internal.RemoteGatewayClient;
import io.worldgate.gateway.host.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A gateway serving on a free loopback port with the random plugin deployed, a client of it, and a
 * raw channel to it for calls as a client built from the proto alone (or a hostile one) makes them.
 */
final class ServiceFixture implements AutoCloseable {
    final Path deploy;
    final Gateway gateway;
    final GatewayServer server;
    final RemoteGatewayClient client;
    final ManagedChannel channel;

    /** Deploys the random plugin as {@code jarName}, re-versioned to {@code version} unless it is null. */
    ServiceFixture(Path tmp, String jarName, String version) throws Exception {
        deploy = Files.createDirectories(tmp.resolve("deploy"));
        if (version == null) {
            Files.copy(TestBundles.randomPlugin(), deploy.resolve(jarName));
        } else {
            TestBundles.withVersion(TestBundles.randomPlugin(), deploy.resolve(jarName), version);
        }
        gateway = Gateway.start(deploy, tmp.resolve("runs"));
        await("random", 20, () -> gateway.plugins().bestFactory("random").isPresent());
        server = GatewayServer.start(gateway, "127.0.0.1", 0, null);
        client = new RemoteGatewayClient(server.address(), server.token());
        channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext().build();
    }

    /** A blocking stub on {@link #channel} that presents the service's token. */
    io.worldgate.proto.service.v1.GatewayGrpc.GatewayBlockingStub stub() {
        return io.worldgate.proto.service.v1.GatewayGrpc.newBlockingStub(channel).withCallCredentials(ServiceTest.bearer(server.token()));
    }

    @Override
    public void close() {
        channel.shutdownNow();
        client.close();
        server.close();
        gateway.close();
    }
}
