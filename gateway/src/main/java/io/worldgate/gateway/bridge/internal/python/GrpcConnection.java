package io.worldgate.gateway.bridge.internal.python;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NegotiationType;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.StreamObserver;
import io.worldgate.proto.env.v1.DescribeRequest;
import io.worldgate.proto.env.v1.EnvRequest;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.EnvWorkerGrpc;
import io.worldgate.proto.env.v1.HandshakeRequest;
import io.worldgate.proto.env.v1.HandshakeResponse;
import io.worldgate.proto.env.v1.ProtocolVersion;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker over gRPC: Handshake and Describe as unary calls with deadlines, then one
 * bidirectional Session stream in lockstep. The channel accepts messages up to 256 MiB (gRPC's
 * default is 4 MiB, too small for a batch of frames) and runs callbacks on the transport thread,
 * which hands each response straight to the waiting caller.
 */
final class GrpcConnection implements WorkerConnection {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcConnection.class);
    /** Inbound message limit. */
    static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
    /** The protocol version this gateway speaks. */
    static final int PROTOCOL = ProtocolVersion.PROTOCOL_VERSION_1_VALUE;
    static final String CLIENT = "worldgate-gateway";
    private static EventLoopGroup udsGroup;

    private final String address;
    private final ManagedChannel channel;
    private final AtomicReference<CompletableFuture<EnvResponse>> pending = new AtomicReference<>();
    private volatile StreamObserver<EnvRequest> requests;
    private volatile WorkerFailure broken;

    GrpcConnection(String address) {
        this.address = address;
        this.channel = channelFor(address);
    }

    private static ManagedChannel channelFor(String address) {
        NettyChannelBuilder b;
        if (address.startsWith("unix:")) {
            String path = address.substring("unix:".length());
            if (path.startsWith("//")) {
                path = path.substring(2);
            }
            if (!Epoll.isAvailable()) {
                throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL,
                        "cannot reach " + address + ": unix sockets need netty's epoll transport, unavailable here");
            }
            b = NettyChannelBuilder.forAddress(new DomainSocketAddress(path)).channelType(EpollDomainSocketChannel.class)
                    .eventLoopGroup(udsGroup());
        } else {
            int colon = address.lastIndexOf(':');
            String host = address.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "bad worker address '" + address + "': expected HOST:PORT");
            }
            b = NettyChannelBuilder.forAddress(host, port);
        }
        return b.negotiationType(NegotiationType.PLAINTEXT)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .maxInboundMetadataSize(1024 * 1024)
                .flowControlWindow(16 * 1024 * 1024)
                .directExecutor()
                .disableRetry()
                .build();
    }

    private static synchronized EventLoopGroup udsGroup() {
        if (udsGroup == null) {
            udsGroup = new EpollEventLoopGroup(1, new DefaultThreadFactory("worldgate-grpc-uds", true));
        }
        return udsGroup;
    }

    @Override
    public String address() {
        return address;
    }

    @Override
    public HandshakeResponse handshake(Duration timeout) {
        HandshakeResponse r;
        try {
            r = EnvWorkerGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .handshake(HandshakeRequest.newBuilder().setProtocolVersion(PROTOCOL).setClient(CLIENT).build());
        } catch (StatusRuntimeException e) {
            throw translate(e, "Handshake");
        }
        if (r.getProtocolVersion() != PROTOCOL) {
            throw versionMismatch(address, r.getProtocolVersion());
        }
        return r;
    }

    static WorkerFailure versionMismatch(String address, long workerVersion) {
        return new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the env worker at " + address + " speaks env-bridge protocol version "
                + workerVersion + ", this gateway speaks version " + PROTOCOL
                + "; use a worldgate_envs (env-bridge-python) of the same release as the gateway");
    }

    @Override
    public EnvSpec describe(Duration timeout) {
        try {
            return EnvWorkerGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .describe(DescribeRequest.getDefaultInstance());
        } catch (StatusRuntimeException e) {
            throw translate(e, "Describe");
        }
    }

    private WorkerFailure translate(StatusRuntimeException e, String call) {
        Status.Code code = e.getStatus().getCode();
        String desc = e.getStatus().getDescription() == null ? code.name() : e.getStatus().getDescription();
        if (code == Status.Code.FAILED_PRECONDITION && desc.contains("protocol version")) {
            return new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the env worker at " + address + " refused this gateway's "
                    + "protocol version " + PROTOCOL + ": " + desc, "", e);
        }
        if (code == Status.Code.DEADLINE_EXCEEDED) {
            return new WorkerFailure(WorkerFailure.Kind.TIMEOUT, call + " to the env worker at " + address + " timed out", "", e);
        }
        if (code == Status.Code.UNIMPLEMENTED) {
            return new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the server at " + address + " is not a Worldgate env worker ("
                    + call + ": " + desc + ")", "", e);
        }
        return new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, call + " to the env worker at " + address + " failed: "
                + code + " " + desc, "", e);
    }

    @Override
    public void openSession() {
        requests = EnvWorkerGrpc.newStub(channel).session(new StreamObserver<>() {
            @Override
            public void onNext(EnvResponse value) {
                CompletableFuture<EnvResponse> f = pending.getAndSet(null);
                if (f != null) {
                    f.complete(value);
                } else {
                    LOG.warn("unexpected response {} from the env worker at {}", value.getRequestId(), address);
                }
            }

            @Override
            public void onError(Throwable t) {
                Status s = Status.fromThrowable(t);
                fail(new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "the session with the env worker at " + address
                        + " broke: " + s.getCode() + (s.getDescription() == null ? "" : " " + s.getDescription()), "", t));
            }

            @Override
            public void onCompleted() {
                fail(new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "the env worker at " + address + " ended the session"));
            }
        });
    }

    private void fail(WorkerFailure f) {
        if (broken == null) {
            broken = f;
        }
        CompletableFuture<EnvResponse> p = pending.getAndSet(null);
        if (p != null) {
            p.completeExceptionally(f);
        }
    }

    @Override
    public CompletableFuture<EnvResponse> submit(EnvRequest request) {
        if (broken != null) {
            return CompletableFuture.failedFuture(broken);
        }
        if (requests == null) {
            throw new IllegalStateException("no session open");
        }
        CompletableFuture<EnvResponse> f = new CompletableFuture<>();
        pending.set(f);
        try {
            requests.onNext(request);
        } catch (RuntimeException e) {
            fail(new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "cannot send to the env worker at " + address + ": " + e, "", e));
        }
        if (broken != null && !f.isDone()) {
            f.completeExceptionally(broken);
        }
        return f;
    }

    @Override
    public void close() {
        StreamObserver<EnvRequest> r = requests;
        requests = null;
        if (r != null && broken == null) {
            try {
                r.onCompleted();
            } catch (RuntimeException e) {
                LOG.debug("closing the session with {}: {}", address, e.toString());
            }
        }
        fail(new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "the connection to " + address + " was closed"));
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
