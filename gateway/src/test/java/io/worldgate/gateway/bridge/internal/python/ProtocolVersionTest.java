package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.proto.env.v1.EnvWorkerGrpc;
import io.worldgate.proto.env.v1.HandshakeRequest;
import io.worldgate.proto.env.v1.HandshakeResponse;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker that speaks another protocol version is refused with both versions named. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProtocolVersionTest {

    /** A fake worker: answers Handshake as told, nothing else. */
    private static Server fakeWorker(EnvWorkerGrpc.EnvWorkerImplBase impl) throws Exception {
        return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(impl).build().start();
    }

    private static void assertRefused(Server server, String... fragments) {
        BridgeConfig config = BridgeConfig.defaults().withRemoteWorkers(List.of("127.0.0.1:" + server.getPort()));
        var check = assertThatThrownBy(() -> EnvRegistry.withBuiltins(config).create("const:4", 1, Map.of()))
                .isInstanceOf(EnvException.class);
        for (String f : fragments) {
            check.hasMessageContaining(f);
        }
    }

    @Test
    void aWorkerAnsweringWithVersion2IsRefused() throws Exception {
        Server s = fakeWorker(new EnvWorkerGrpc.EnvWorkerImplBase() {
            @Override
            public void handshake(HandshakeRequest request, StreamObserver<HandshakeResponse> out) {
                out.onNext(HandshakeResponse.newBuilder().setProtocolVersion(2).setWorkerPid(1).build());
                out.onCompleted();
            }
        });
        try {
            assertRefused(s, "protocol version 2", "speaks version 1");
        } finally {
            s.shutdownNow();
        }
    }

    @Test
    void aWorkerRefusingOurVersionIsReportedWithItsReason() throws Exception {
        Server s = fakeWorker(new EnvWorkerGrpc.EnvWorkerImplBase() {
            @Override
            public void handshake(HandshakeRequest request, StreamObserver<HandshakeResponse> out) {
                out.onError(Status.FAILED_PRECONDITION.withDescription("protocol version mismatch: client "
                        + request.getProtocolVersion() + ", worker 3").asRuntimeException());
            }
        });
        try {
            assertRefused(s, "protocol version 1", "client 1, worker 3");
        } finally {
            s.shutdownNow();
        }
    }

    @Test
    void aServerThatIsNoWorkerIsNamedAsSuch() throws Exception {
        Server s = fakeWorker(new EnvWorkerGrpc.EnvWorkerImplBase() {});
        try {
            assertRefused(s, "not a Worldgate env worker");
        } finally {
            s.shutdownNow();
        }
    }
}
