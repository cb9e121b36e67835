package io.worldgate.gateway.cli.internal;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;

import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.worldgate.api.agent.ActionKind;
import io.worldgate.api.agent.AgentDescriptor;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.api.agent.ConfigKey;
import io.worldgate.gateway.host.PluginInfo;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.service.EvaluationResult;
import io.worldgate.gateway.service.NotFoundException;
import io.worldgate.gateway.service.RunEventsProto;
import io.worldgate.gateway.service.RunRequest;
import io.worldgate.proto.service.v1.AgentDescription;
import io.worldgate.proto.service.v1.DescribeAgentRequest;
import io.worldgate.proto.service.v1.EnvFamily;
import io.worldgate.proto.service.v1.EvaluateRequest;
import io.worldgate.proto.service.v1.EvaluateResponse;
import io.worldgate.proto.service.v1.GatewayGrpc;
import io.worldgate.proto.service.v1.ListEnvsRequest;
import io.worldgate.proto.service.v1.ListPluginsRequest;
import io.worldgate.proto.service.v1.ListRunsRequest;
import io.worldgate.proto.service.v1.MetricEvent;
import io.worldgate.proto.service.v1.Run;
import io.worldgate.proto.service.v1.RunRef;
import io.worldgate.proto.service.v1.StartRunRequest;
import io.worldgate.proto.service.v1.StreamMetricsRequest;
import io.worldgate.proto.service.v1.SwapAgentRequest;
import io.grpc.Context;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A gateway running as a service, reached over its gRPC API. */
public final class RemoteGatewayClient implements GatewayClient {
    private final String address;
    private final ManagedChannel channel;
    private final GatewayGrpc.GatewayBlockingStub blocking;
    private final GatewayGrpc.GatewayStub async;

    public RemoteGatewayClient(String address, String token) {
        this.address = address;
        int colon = address.lastIndexOf(':');
        this.channel = NettyChannelBuilder.forAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
                .usePlaintext().maxInboundMessageSize(64 * 1024 * 1024).build();
        CallCredentials credentials = token == null ? null : new BearerToken(token);
        GatewayGrpc.GatewayBlockingStub b = GatewayGrpc.newBlockingStub(channel);
        GatewayGrpc.GatewayStub a = GatewayGrpc.newStub(channel);
        this.blocking = credentials == null ? b : b.withCallCredentials(credentials);
        this.async = credentials == null ? a : a.withCallCredentials(credentials);
    }

    @Override
    public String describe() {
        return "service at " + address;
    }

    @Override
    public boolean inProcess() {
        return false;
    }

    /** Calls the service with a deadline, turning statuses back into the gateway's exceptions. */
    private <T> T call(Supplier<T> rpc) {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            String msg = e.getStatus().getDescription() == null ? e.getStatus().getCode().toString() : e.getStatus().getDescription();
            switch (e.getStatus().getCode()) {
                case INVALID_ARGUMENT -> throw new ConfigException(msg);
                case NOT_FOUND -> throw new NotFoundException(msg);
                case FAILED_PRECONDITION -> throw new IllegalStateException(msg);
                case UNAUTHENTICATED -> throw new ConfigException(msg);
                case PERMISSION_DENIED -> throw new IllegalStateException(msg);
                case UNAVAILABLE -> throw new IllegalStateException("the gateway service at " + address + " is not reachable: " + msg);
                default -> throw new IllegalStateException("the gateway service failed: " + msg);
            }
        }
    }

    private GatewayGrpc.GatewayBlockingStub stub() {
        return blocking.withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @Override
    public List<PluginInfo> plugins() {
        return call(() -> stub().listPlugins(ListPluginsRequest.getDefaultInstance()).getPluginsList().stream()
                .map(p -> new PluginInfo(p.getFile(), emptyToNull(p.getSymbolicName()), emptyToNull(p.getVersion()), p.getState(),
                        p.getAgentsList(), emptyToNull(p.getError())))
                .toList());
    }

    @Override
    public AgentInfo describeAgent(String selector) {
        AgentDescription d = call(() -> stub().describeAgent(DescribeAgentRequest.newBuilder().setAgent(selector).build()));
        List<ConfigKey> keys = d.getConfigKeysList().stream()
                .map(k -> new ConfigKey(k.getName(), ConfigKey.Type.valueOf(k.getType()), k.getDefaultValue(), k.getDescription(),
                        k.hasMin() ? k.getMin() : null, k.hasMax() ? k.getMax() : null, k.getChoicesList()))
                .toList();
        Map<String, Map<String, String>> presets = new LinkedHashMap<>();
        new java.util.TreeMap<>(d.getPresetsMap()).forEach((name, preset) -> presets.put(name, preset.getValuesMap()));
        String name = d.getAgent().contains("@") ? d.getAgent().substring(0, d.getAgent().indexOf('@')) : d.getAgent();
        AgentDescriptor descriptor = new AgentDescriptor(name, d.getDescription(),
                d.getActionKindsList().stream().map(ActionKind::valueOf).collect(java.util.stream.Collectors.toSet()),
                java.util.Set.copyOf(d.getObservationKeysList()), keys, presets,
                d.getDefaultPreset().isEmpty() ? null : d.getDefaultPreset(), d.getDefaultTrainRatio(),
                d.getTrainingCadence().isEmpty() ? null : io.worldgate.api.agent.TrainingCadence.valueOf(d.getTrainingCadence()));
        return new AgentInfo(d.getAgent(), descriptor);
    }

    @Override
    public Map<String, Map<String, String>> envs() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (EnvFamily f : call(() -> stub().listEnvs(ListEnvsRequest.getDefaultInstance()).getFamiliesList())) {
            out.put(f.getFamily(), new LinkedHashMap<>(f.getExamplesMap()));
        }
        return out;
    }

    @Override
    public RunStatus start(RunRequest r, RunListener listener) {
        StartRunRequest.Builder b = StartRunRequest.newBuilder().setAgent(r.agent()).putAllAgentConfig(r.agentConfig())
                .setEnv(r.env()).putAllEnvOptions(r.envOptions()).setNumEnvs(r.numEnvs()).setSteps(r.steps()).setSeed(r.seed())
                .setPrefill(r.prefill()).setCheckpointEvery(r.checkpointEvery())
                .setEvalEvery(r.evalEvery()).setEvalEpisodes(r.evalEpisodes()).setDevice(r.device())
                .setKeepCheckpoints(r.keepCheckpoints()).setExperienceCapacityBytes(r.experienceCapacityBytes());
        if (r.preset() != null) {
            b.setPreset(r.preset());
        }
        if (r.swapWarmupUpdates() >= 0) {
            b.setSwapWarmupUpdates(r.swapWarmupUpdates());
        }
        if (r.trainRatio() >= 0) {
            b.setTrainRatio(r.trainRatio());
        }
        RunStatus started = toStatus(call(() -> stub().startRun(b.build())));
        if (listener != null) {
            follow(started.runId(), listener);
        }
        return started;
    }

    @Override
    public RunStatus status(String runId) {
        return toStatus(call(() -> stub().getRun(ref(runId))));
    }

    @Override
    public String runDirectory(String runId) {
        return call(() -> stub().getRun(ref(runId))).getRunDirectory();
    }

    @Override
    public RunStatus stop(String runId) {
        return toStatus(call(() -> stub().stopRun(ref(runId))));
    }

    @Override
    public RunStatus resume(String runId, RunListener listener) {
        RunStatus resumed = toStatus(call(() -> stub().resumeRun(ref(runId))));
        if (listener != null) {
            follow(runId, listener);
        }
        return resumed;
    }

    @Override
    public SwapReply swap(String runId, String agent, Duration wait) {
        SwapAgentRequest.Builder b = SwapAgentRequest.newBuilder().setRunId(runId).setAgent(agent);
        if (!wait.isZero()) {
            b.setWait(true).setWaitSeconds((int) Math.min(Integer.MAX_VALUE, Math.max(1, (wait.toMillis() + 999) / 1000)));
        }
        // The service answers when the wait is over at the latest: the deadline leaves it room for that.
        Run r = call(() -> blocking.withDeadlineAfter(wait.toSeconds() + 60, TimeUnit.SECONDS).swapAgent(b.build()));
        RunEvent outcome = r.hasSwap() ? RunEventsProto.fromProto(r.getSwap(), r.getStep(), "") : null;
        return new SwapReply(toStatus(r), outcome instanceof SwapOutcome o ? Optional.of(o) : Optional.empty());
    }

    @Override
    public List<RunStatus> runs(boolean includeStored) {
        return call(() -> stub().listRuns(ListRunsRequest.newBuilder().setIncludeFinished(includeStored).build()))
                .getRunsList().stream().map(RemoteGatewayClient::toStatus).toList();
    }

    @Override
    public EvaluationResult evaluate(String runId, String checkpoint, int episodes, long seed) {
        EvaluateRequest.Builder b = EvaluateRequest.newBuilder().setRunId(runId).setEpisodes(episodes).setSeed(seed);
        if (checkpoint != null) {
            b.setCheckpoint(checkpoint);
        }
        EvaluateResponse r = call(() -> blocking.withDeadlineAfter(30, TimeUnit.MINUTES).evaluate(b.build()));
        return new EvaluationResult(r.getAgent(), r.getCheckpoint(), r.getReturnsList(), r.getMeanInfosMap());
    }

    @Override
    public AutoCloseable follow(String runId, RunListener listener) {
        Context.CancellableContext context = Context.current().withCancellation();
        // replay_events: the run may have told its first events (agent created, a checkpoint) before
        // this stream opened; the follower's summary counts them too
        StreamMetricsRequest request = StreamMetricsRequest.newBuilder().setRunId(runId).setReplayEvents(true).build();
        context.run(() -> async.streamMetrics(request, new StreamObserver<>() {
            @Override
            public void onNext(MetricEvent e) {
                if (e.getTag().equals("event")) {
                    listener.onEvent(new RunStatus(runId, RunState.RUNNING, e.getText(), null, e.getStep(), 0, 0, Double.NaN, 0, 0),
                            RunEventsProto.fromProto(e.getEvent(), e.getStep(), e.getText()));
                } else {
                    listener.onScalar(e.getTag(), e.getValue(), e.getStep());
                }
            }

            @Override
            public void onError(Throwable t) {
                // The stream ends with the run, or when the service goes; the status poll reports which.
            }

            @Override
            public void onCompleted() {}
        }));
        return () -> context.cancel(null);
    }

    private static RunRef ref(String runId) {
        return RunRef.newBuilder().setRunId(runId).build();
    }

    static RunStatus toStatus(Run r) {
        return new RunStatus(r.getRunId(), state(r), r.getMessage(), emptyToNull(r.getAgent()), r.getStep(),
                r.getTotalSteps(), r.getEpisodes(), r.getLastReturn(), r.getStepsPerSecond(), r.getUpdates(), r.getWorkerRestarts(),
                r.getCutEpisodes());
    }

    /** The run's state: its enum, or the deprecated name from a service older than the enum. */
    @SuppressWarnings("deprecation")
    private static RunState state(Run r) {
        return r.getRunState() == io.worldgate.proto.service.v1.RunState.RUN_STATE_UNSPECIFIED ? RunState.valueOf(r.getState())
                : RunEventsProto.fromProto(r.getRunState());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }

    /** Adds {@code authorization: Bearer <token>} to every call. */
    private static final class BearerToken extends CallCredentials {
        private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
        private final String token;

        BearerToken(String token) {
            this.token = token;
        }

        @Override
        public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
            Metadata m = new Metadata();
            m.put(AUTHORIZATION, "Bearer " + token);
            applier.apply(m);
        }
    }

}
