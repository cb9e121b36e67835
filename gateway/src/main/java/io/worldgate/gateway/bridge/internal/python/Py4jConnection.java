package io.worldgate.gateway.bridge.internal.python;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.worldgate.proto.env.v1.ActionSpace;
import io.worldgate.proto.env.v1.BoxSpace;
import io.worldgate.proto.env.v1.DiscreteSpace;
import io.worldgate.proto.env.v1.EnvRequest;
import io.worldgate.proto.env.v1.EnvResponse;
import io.worldgate.proto.env.v1.EnvSpec;
import io.worldgate.proto.env.v1.HandshakeResponse;
import io.worldgate.proto.env.v1.NamedTensor;
import io.worldgate.proto.env.v1.ObservationSpec;
import io.worldgate.proto.env.v1.RenderResult;
import io.worldgate.proto.env.v1.ShmLayout;
import io.worldgate.proto.env.v1.ShmRegion;
import io.worldgate.proto.env.v1.Status;
import io.worldgate.proto.env.v1.StatusCode;
import io.worldgate.proto.env.v1.StepResult;
import io.worldgate.proto.env.v1.Tensor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import py4j.ClientServer;

/**
 * A worker over Py4J ({@code python -m worldgate_envs py4j-serve}): Java calls the Python entry
 * point through a {@link ClientServer} (no Java server is started; Python never calls back), on a
 * thread of this connection's own, and translates the JSON answers into the wire contract's
 * messages. Observations always come through the shared-memory file.
 */
final class Py4jConnection implements WorkerConnection {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String address;
    private final ClientServer clientServer;
    private final PythonEnvWorker entry;
    private final ExecutorService thread;
    private volatile boolean closed;

    Py4jConnection(String address) {
        this.address = address;
        int colon = address.lastIndexOf(':');
        InetAddress host;
        int port;
        try {
            host = InetAddress.getByName(address.substring(0, colon));
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (UnknownHostException | NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "bad Py4J worker address '" + address + "'", "", e);
        }
        String token = System.getenv("WORLDGATE_PY4J_TOKEN");
        ClientServer.ClientServerBuilder b = new ClientServer.ClientServerBuilder().javaPort(0).pythonAddress(host)
                .pythonPort(port).autoStartJavaServer(false).connectTimeout(10_000);
        if (token != null && !token.isEmpty()) {
            b.authToken(token);
        }
        this.clientServer = b.build();
        this.entry = (PythonEnvWorker) clientServer.getPythonServerEntryPoint(new Class<?>[] {PythonEnvWorker.class});
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "worldgate-py4j-" + port);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String address() {
        return "py4j:" + address;
    }

    private <T> T callWithin(java.util.concurrent.Callable<T> call, Duration timeout, String what) {
        try {
            return thread.submit(call).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new WorkerFailure(WorkerFailure.Kind.TIMEOUT, what + " to the Py4J env worker at " + address + " timed out");
        } catch (ExecutionException e) {
            throw disconnected(what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "interrupted", "", e);
        }
    }

    private WorkerFailure disconnected(String what, Throwable cause) {
        if (cause instanceof WorkerFailure wf) {
            return wf;
        }
        return new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, what + " to the Py4J env worker at " + address + " failed: "
                + cause, "", cause);
    }

    @Override
    public HandshakeResponse handshake(Duration timeout) {
        // Py4J's Python server binds its port before announcing it but calls listen() on a thread
        // of its own, so the first connection may be refused for a moment: retry that alone.
        long end = System.nanoTime() + Math.min(timeout.toNanos(), Duration.ofSeconds(10).toNanos());
        String answer;
        while (true) {
            try {
                answer = callWithin(entry::handshake, timeout, "handshake");
                break;
            } catch (WorkerFailure f) {
                if (!refused(f) || System.nanoTime() > end) {
                    throw f;
                }
                ProcessGroups.sleep(50);
            }
        }
        JsonNode n = parse(answer);
        checkOk(n, "handshake");
        int protocol = n.path("protocol").asInt(-1);
        if (protocol != GrpcConnection.PROTOCOL) {
            throw GrpcConnection.versionMismatch(address(), protocol);
        }
        HandshakeResponse.Builder r = HandshakeResponse.newBuilder().setProtocolVersion(protocol)
                .setWorkerPid(n.path("pid").asLong()).setWorkerVersion(n.path("worker_version").asText(""));
        n.path("capabilities").forEach(c -> r.addCapabilities(c.asText()));
        return r.build();
    }

    private static boolean refused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public EnvSpec describe(Duration timeout) {
        JsonNode n = parse(callWithin(entry::describe, timeout, "describe"));
        checkOk(n, "describe");
        return specFromJson(n.path("spec"));
    }

    @Override
    public void openSession() {
        // Py4J calls need no session.
    }

    @Override
    public CompletableFuture<EnvResponse> submit(EnvRequest request) {
        if (closed) {
            return CompletableFuture.failedFuture(new WorkerFailure(WorkerFailure.Kind.DISCONNECTED, "the connection to "
                    + address() + " was closed"));
        }
        CompletableFuture<EnvResponse> f = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                if (request.getKindCase() == EnvRequest.KindCase.RENDER) {
                    f.complete(render(request));
                    return;
                }
                String json = switch (request.getKindCase()) {
                    case RESET -> entry.reset(request.getReset().hasSeed() ? request.getReset().getSeed() : -1);
                    case STEP -> entry.step(actionBytes(request.getStep().getActions()));
                    case CLOSE -> entry.close(request.getClose().getShutdown());
                    default -> throw new IllegalArgumentException("the Py4J transport does not send " + request.getKindCase());
                };
                f.complete(responseFromJson(request.getRequestId(), parse(json)));
            } catch (WorkerFailure e) {
                f.completeExceptionally(e);
            } catch (RuntimeException e) {
                f.completeExceptionally(disconnected(request.getKindCase().name().toLowerCase(), e));
            }
        });
        return f;
    }

    /**
     * The entry point answers a render with the frame's bytes and, in a second call, its shape; an
     * empty answer means the worker could not render (it logs why).
     */
    private EnvResponse render(EnvRequest request) {
        int index = request.getRender().getEnvIndex();
        byte[] frame = entry.render(index);
        EnvResponse.Builder r = EnvResponse.newBuilder().setRequestId(request.getRequestId());
        JsonNode shape = parse(entry.lastRenderShape());
        if (frame == null || frame.length == 0 || shape.size() != 3) {
            return r.setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_UNIMPLEMENTED)
                    .setMessage("env " + index + " could not be rendered (the worker's log says why)")).build();
        }
        Tensor.Builder image = Tensor.newBuilder().setDtype(io.worldgate.proto.env.v1.DType.DTYPE_UINT8)
                .setData(com.google.protobuf.ByteString.copyFrom(frame));
        shape.forEach(d -> image.addShape(d.asLong()));
        return r.setStatus(Status.newBuilder().setCode(StatusCode.STATUS_CODE_OK))
                .setRender(RenderResult.newBuilder().setEnvIndex(index).setImage(image)).build();
    }

    /** int32 discrete actions become the int64 the Py4J entry point expects; float32 passes as is. */
    static byte[] actionBytes(Tensor t) {
        byte[] raw = t.getData().toByteArray();
        if (t.getDtype() != io.worldgate.proto.env.v1.DType.DTYPE_INT32) {
            return raw;
        }
        ByteBuffer in = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(raw.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            out.putLong(in.getInt());
        }
        return out.array();
    }

    private JsonNode parse(String json) {
        if (json == null) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the Py4J env worker at " + address + " returned nothing");
        }
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "the Py4J env worker at " + address + " returned no JSON: "
                    + json, "", e);
        }
    }

    private void checkOk(JsonNode n, String what) {
        Status s = status(n);
        if (s.getCode() != StatusCode.STATUS_CODE_OK) {
            throw new WorkerFailure(WorkerFailure.Kind.WORKER_ERROR, what + " failed at " + address + ": " + s.getMessage(),
                    s.getTraceback(), null);
        }
    }

    static Status status(JsonNode n) {
        JsonNode s = n.path("status");
        String code = s.path("code").asText("INTERNAL");
        StatusCode c;
        try {
            c = StatusCode.valueOf("STATUS_CODE_" + code);
        } catch (IllegalArgumentException e) {
            c = StatusCode.STATUS_CODE_INTERNAL;
        }
        return Status.newBuilder().setCode(c).setMessage(s.path("message").asText("")).setTraceback(s.path("traceback").asText(""))
                .build();
    }

    static EnvResponse responseFromJson(long requestId, JsonNode n) {
        EnvResponse.Builder r = EnvResponse.newBuilder().setRequestId(requestId).setStatus(status(n));
        if (r.getStatus().getCode() != StatusCode.STATUS_CODE_OK || !n.has("rewards")) {
            if (r.getStatus().getCode() == StatusCode.STATUS_CODE_OK) {
                r.setClosed(io.worldgate.proto.env.v1.Closed.getDefaultInstance());
            }
            return r.build();
        }
        StepResult.Builder s = StepResult.newBuilder();
        n.path("rewards").forEach(v -> s.addRewards(v.asDouble()));
        n.path("terminated").forEach(v -> s.addTerminated(v.asBoolean()));
        n.path("truncated").forEach(v -> s.addTruncated(v.asBoolean()));
        n.path("is_first").forEach(v -> s.addIsFirst(v.asBoolean()));
        n.path("episode_steps").forEach(v -> s.addEpisodeSteps(v.asLong()));
        JsonNode shm = n.path("shm");
        if (shm.hasNonNull("slot")) {
            s.getShmBuilder().setSlot(shm.get("slot").asInt()).setGeneration(shm.path("generation").asLong());
        }
        Iterator<Map.Entry<String, JsonNode>> infos = n.path("infos").fields();
        while (infos.hasNext()) {
            Map.Entry<String, JsonNode> e = infos.next();
            ByteBuffer b = ByteBuffer.allocate(4 * e.getValue().size()).order(ByteOrder.LITTLE_ENDIAN);
            e.getValue().forEach(v -> b.putFloat((float) v.asDouble()));
            s.addInfos(NamedTensor.newBuilder().setName(e.getKey()).setTensor(Tensor.newBuilder()
                    .setDtype(io.worldgate.proto.env.v1.DType.DTYPE_FLOAT32).addShape(e.getValue().size())
                    .setData(com.google.protobuf.ByteString.copyFrom(b.array()))));
        }
        return r.setStep(s).build();
    }

    private static io.worldgate.proto.env.v1.DType dtypeOf(String name) {
        return switch (name) {
            case "uint8" -> io.worldgate.proto.env.v1.DType.DTYPE_UINT8;
            case "int32" -> io.worldgate.proto.env.v1.DType.DTYPE_INT32;
            case "int64" -> io.worldgate.proto.env.v1.DType.DTYPE_INT64;
            case "float32" -> io.worldgate.proto.env.v1.DType.DTYPE_FLOAT32;
            case "float64" -> io.worldgate.proto.env.v1.DType.DTYPE_FLOAT64;
            case "bool" -> io.worldgate.proto.env.v1.DType.DTYPE_BOOL;
            default -> throw new WorkerFailure(WorkerFailure.Kind.PROTOCOL, "unknown dtype '" + name + "' in a Py4J spec");
        };
    }

    private static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        return switch (v.asText()) {
            case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v.asText());
        };
    }

    /** The Python spec dict ({@code EnvSpec.to_dict()} plus {@code num_envs}, {@code seed}, {@code shm}) as the proto message. */
    static EnvSpec specFromJson(JsonNode s) {
        EnvSpec.Builder b = EnvSpec.newBuilder().setEnvId(s.path("env_id").asText()).setFamily(s.path("family").asText())
                .setNumEnvs(s.path("num_envs").asInt(1)).setMaxEpisodeSteps(s.path("max_episode_steps").asLong())
                .setSeed(s.path("seed").asLong(0));
        for (JsonNode o : s.path("observations")) {
            ObservationSpec.Builder ob = ObservationSpec.newBuilder().setName(o.path("name").asText())
                    .setDtype(dtypeOf(o.path("dtype").asText()));
            o.path("shape").forEach(d -> ob.addShape(d.asLong()));
            o.path("low").forEach(v -> ob.addLow(number(v)));
            o.path("high").forEach(v -> ob.addHigh(number(v)));
            b.addObservations(ob);
        }
        JsonNode a = s.path("action_space");
        ActionSpace.Builder ab = ActionSpace.newBuilder();
        if ("discrete".equals(a.path("type").asText())) {
            ab.setDiscrete(DiscreteSpace.newBuilder().setN(a.path("n").asLong()));
        } else {
            BoxSpace.Builder box = BoxSpace.newBuilder().setDtype(io.worldgate.proto.env.v1.DType.DTYPE_FLOAT32);
            a.path("shape").forEach(d -> box.addShape(d.asLong()));
            a.path("low").forEach(v -> box.addLow(number(v)));
            a.path("high").forEach(v -> box.addHigh(number(v)));
            ab.setBox(box);
        }
        b.setActionSpace(ab);
        s.path("options").fields().forEachRemaining(e -> b.putOptions(e.getKey(), e.getValue().asText()));
        s.path("info_keys").forEach(k -> b.addInfoKeys(k.asText()));
        JsonNode shm = s.path("shm");
        if (shm.isObject()) {
            ShmLayout.Builder l = ShmLayout.newBuilder().setPath(shm.path("path").asText()).setFileSize(shm.path("file_size").asLong())
                    .setHeaderBytes(shm.path("header_bytes").asInt(64)).setNumSlots(shm.path("num_slots").asInt(1))
                    .setSlotBytes(shm.path("slot_bytes").asLong());
            for (JsonNode r : shm.path("regions")) {
                l.addRegions(ShmRegion.newBuilder().setName(r.path("name").asText()).setOffset(r.path("offset").asLong())
                        .setLength(r.path("length").asLong()));
            }
            b.setShm(l);
        }
        return b.build();
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdownNow();
        try {
            clientServer.shutdown();
        } catch (RuntimeException e) {
            // The worker may already be gone.
        }
    }
}
