package io.worldgate.gateway.bridge.internal.python;

import io.worldgate.proto.env.v1.EnvRequest;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.HandshakeResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One transport's view of one worker (gRPC or Py4J), in the terms of the wire contract
 * ({@code env_bridge.proto}): the Py4J transport translates its JSON into the same messages.
 */
interface WorkerConnection extends AutoCloseable {

    /** Version and capability exchange; refuses another protocol version with a {@link WorkerFailure}. */
    HandshakeResponse handshake(Duration timeout);

    /** The spec of the worker's batch. */
    EnvSpec describe(Duration timeout);

    /** Opens the lockstep session. */
    void openSession();

    /**
     * Sends one request of the session. The future completes with the response, or exceptionally
     * with a {@link WorkerFailure} of kind DISCONNECTED; the caller applies the deadline.
     */
    CompletableFuture<EnvResponse> submit(EnvRequest request);

    /** Where the worker is, for messages. */
    String address();

    @Override
    void close();
}
