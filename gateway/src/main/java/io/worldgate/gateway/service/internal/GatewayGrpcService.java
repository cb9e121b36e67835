package io.worldgate.gateway.service.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.host.PluginInfo;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.service.RunEventsProto;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.service.ApiLimits;
import io.worldgate.gateway.service.EvaluationResult;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.NotFoundException;
import io.worldgate.gateway.service.RunRequest;
import io.worldgate.proto.service.v1.AgentDescription;
import io.worldgate.proto.service.v1.DescribeAgentRequest;
import io.worldgate.proto.service.v1.EnvFamily;
import io.worldgate.proto.service.v1.EvaluateRequest;
import io.worldgate.proto.service.v1.EvaluateResponse;
import io.worldgate.proto.service.v1.GatewayGrpc;
import io.worldgate.proto.service.v1.InstallPluginRequest;
import io.worldgate.proto.service.v1.ListEnvsRequest;
import io.worldgate.proto.service.v1.ListEnvsResponse;
import io.worldgate.proto.service.v1.ListPluginsRequest;
import io.worldgate.proto.service.v1.ListPluginsResponse;
import io.worldgate.proto.service.v1.ListRunsRequest;
import io.worldgate.proto.service.v1.ListRunsResponse;
import io.worldgate.proto.service.v1.MetricEvent;
import io.worldgate.proto.service.v1.Plugin;
import io.worldgate.proto.service.v1.Run;
import io.worldgate.proto.service.v1.RunRef;
import io.worldgate.proto.service.v1.StartRunRequest;
import io.worldgate.proto.service.v1.StreamMetricsRequest;
import io.worldgate.proto.service.v1.SwapAgentRequest;
import io.worldgate.proto.service.v1.UninstallPluginRequest;
import io.worldgate.proto.service.v1.UninstallPluginResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's gRPC API over one {@link Gateway}. Every call validates its input and fails with
 * a status meant for people; nothing stored changes when a call fails.
 */
public final class GatewayGrpcService extends GatewayGrpc.GatewayImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayGrpcService.class);
    private static final int MAX_DESCRIPTION_CHARS = 2000;
    private static final Pattern PLUGIN_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.jar");

    private static final Duration DEFAULT_SWAP_WAIT = Duration.ofSeconds(60);
    /** Where SwapAgent answers once its outcome is known or its wait is over. */
    private static final Executor SWAP_ANSWERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "worldgate-swap-answer");
        t.setDaemon(true);
        return t;
    });

    private final Gateway gateway;

    public GatewayGrpcService(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void listPlugins(ListPluginsRequest request, StreamObserver<ListPluginsResponse> out) {
        answer(out, () -> {
            ListPluginsResponse.Builder b = ListPluginsResponse.newBuilder();
            gateway.plugins().plugins().forEach(p -> b.addPlugins(toProto(p)));
            return b.build();
        });
    }

    @Override
    public void installPlugin(InstallPluginRequest request, StreamObserver<Plugin> out) {
        answer(out, () -> {
            String name = checkPluginFile(request.getFileName());
            if (request.getJar().isEmpty()) {
                throw new IllegalArgumentException("the plugin jar is empty");
            }
            Path deploy = gateway.plugins().deployDirectory();
            // Written beside, then renamed: FileInstall never sees half a jar, and a plugin in use is swapped whole.
            // A temp file per call: two installs of one name never write into the same file.
            Path tmp = Files.createTempFile(deploy, "." + name + ".", ".upload");
            try {
                Files.write(tmp, request.getJar().toByteArray());
                Files.move(tmp, deploy.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < deadline) {
                Plugin p = find(name);
                if (p != null && !p.getState().equals("PENDING") && !p.getState().equals("STARTING")
                        && (p.getAgentsCount() > 0 || !p.getError().isEmpty())) {
                    return p;
                }
                Thread.sleep(200);
            }
            Plugin p = find(name);
            return p != null ? p : Plugin.newBuilder().setFile(name).setState("PENDING").build();
        });
    }

    @Override
    public void uninstallPlugin(UninstallPluginRequest request, StreamObserver<UninstallPluginResponse> out) {
        answer(out, () -> {
            String name = checkPluginFile(request.getFileName());
            if (!Files.deleteIfExists(gateway.plugins().deployDirectory().resolve(name))) {
                throw new NotFoundException("no plugin file '" + name + "' in the deploy directory");
            }
            return UninstallPluginResponse.getDefaultInstance();
        });
    }

    @Override
    public void describeAgent(DescribeAgentRequest request, StreamObserver<AgentDescription> out) {
        answer(out, () -> AgentDescriptions.describe(gateway.plugins(), request.getAgent()));
    }

    @Override
    public void listEnvs(ListEnvsRequest request, StreamObserver<ListEnvsResponse> out) {
        answer(out, () -> {
            ListEnvsResponse.Builder b = ListEnvsResponse.newBuilder();
            for (EnvFactory f : gateway.envs().families()) {
                b.addFamilies(EnvFamily.newBuilder().setFamily(f.family()).putAllExamples(f.examples()));
            }
            return b.build();
        });
    }

    @Override
    public void startRun(StartRunRequest r, StreamObserver<Run> out) {
        answer(out, () -> {
            // uint32 fields arrive as Java ints: 2^32-1 would read as -1.
            long numEnvs = Integer.toUnsignedLong(r.getNumEnvs());
            long evalEpisodes = Integer.toUnsignedLong(r.getEvalEpisodes());
            checkRange("num_envs", numEnvs, 0, ApiLimits.MAX_NUM_ENVS);
            checkRange("steps", Long.toUnsignedString(r.getSteps()), r.getSteps(), 1, ApiLimits.MAX_STEPS);
            checkRange("prefill", Long.toUnsignedString(r.getPrefill()), r.getPrefill(), 0, ApiLimits.MAX_STEPS);
            checkRange("checkpoint_every", Long.toUnsignedString(r.getCheckpointEvery()), r.getCheckpointEvery(), 0,
                    ApiLimits.MAX_STEPS);
            checkRange("eval_every", Long.toUnsignedString(r.getEvalEvery()), r.getEvalEvery(), 0, ApiLimits.MAX_STEPS);
            checkRange("eval_episodes", evalEpisodes, 0, ApiLimits.MAX_EVAL_EPISODES);
            long keepCheckpoints = Integer.toUnsignedLong(r.getKeepCheckpoints());
            checkRange("keep_checkpoints", keepCheckpoints, 0, ApiLimits.MAX_KEEP_CHECKPOINTS);
            long swapWarmup = r.hasSwapWarmupUpdates() ? Integer.toUnsignedLong(r.getSwapWarmupUpdates()) : -1;
            if (swapWarmup >= 0) {
                checkRange("swap_warmup_updates", swapWarmup, 0, ApiLimits.MAX_SWAP_WARMUP_UPDATES);
            }
            checkRange("experience_capacity_bytes", Long.toUnsignedString(r.getExperienceCapacityBytes()),
                    r.getExperienceCapacityBytes(), 0, ApiLimits.MAX_EXPERIENCE_BYTES);
            if (!Double.isFinite(r.getTrainRatio()) || r.getTrainRatio() < 0 || r.getTrainRatio() > ApiLimits.MAX_TRAIN_RATIO) {
                throw new IllegalArgumentException("train_ratio must be a finite number in [0, " + (long) ApiLimits.MAX_TRAIN_RATIO
                        + "], got " + r.getTrainRatio());
            }
            RunRequest request = new RunRequest(r.getAgent(), r.getPreset(), r.getAgentConfigMap(), r.getEnv(),
                    r.getEnvOptionsMap(), numEnvs == 0 ? 1 : (int) numEnvs, r.getSteps(), r.getSeed(),
                    r.hasTrainRatio() ? r.getTrainRatio() : RunRequest.AGENT_DEFAULT_TRAIN_RATIO, r.getPrefill(),
                    r.getCheckpointEvery(), r.getEvalEvery(),
                    evalEpisodes == 0 ? 1 : (int) evalEpisodes, r.getDevice(), (int) keepCheckpoints,
                    r.getExperienceCapacityBytes(), (int) swapWarmup);
            return toProto(gateway.runs().start(request));
        });
    }

    /** {@code value}, a uint64 read as a Java long (negative above 2^63), must lie in [min, max]. */
    private static void checkRange(String field, String shown, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + shown);
        }
    }

    private static void checkRange(String field, long value, long min, long max) {
        checkRange(field, Long.toString(value), value, min, max);
    }

    @Override
    public void stopRun(RunRef request, StreamObserver<Run> out) {
        answer(out, () -> {
            gateway.runs().stop(request.getRunId());
            return toProto(gateway.runs().get(request.getRunId()));
        });
    }

    @Override
    public void resumeRun(RunRef request, StreamObserver<Run> out) {
        answer(out, () -> toProto(gateway.runs().resume(request.getRunId())));
    }

    @Override
    public void getRun(RunRef request, StreamObserver<Run> out) {
        answer(out, () -> toProto(gateway.runs().get(request.getRunId())));
    }

    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> out) {
        answer(out, () -> {
            ListRunsResponse.Builder b = ListRunsResponse.newBuilder();
            for (RunStatus s : gateway.runs().list(request.getIncludeFinished())) {
                b.addRuns(toProto(s, null, null));
            }
            return b.build();
        });
    }

    @Override
    public void swapAgent(SwapAgentRequest request, StreamObserver<Run> out) {
        CompletableFuture<RunEvent.SwapOutcome> outcome;
        try {
            if (request.getAgent().isBlank()) {
                throw new IllegalArgumentException("agent is required: name or name@version");
            }
            // uint32 arrives as a Java int: 2^32-1 would read as -1
            checkRange("wait_seconds", Integer.toUnsignedLong(request.getWaitSeconds()), 0, ApiLimits.MAX_SWAP_WAIT_SECONDS);
            outcome = gateway.runs().swap(request.getRunId(), request.getAgent());
        } catch (RuntimeException e) {
            out.onError(toStatus(e));
            return;
        }
        long waitSeconds = Integer.toUnsignedLong(request.getWaitSeconds());
        long waitMillis = !request.getWait() ? 0 : waitSeconds == 0 ? DEFAULT_SWAP_WAIT.toMillis() : waitSeconds * 1000L;
        ServerCallStreamObserver<Run> call = (ServerCallStreamObserver<Run>) out;
        call.setOnCancelHandler(() -> {}); // a client that stops waiting changes nothing: the swap goes on
        // Answered when the outcome is known or the wait is over, on the thread that decides it: no thread waits.
        // The answer reads the run's status, which waits for its agent slot (a swap's checkpoint):
        // not on the JDK's shared timer thread nor the run's own thread.
        outcome.copy().completeOnTimeout(null, waitMillis, TimeUnit.MILLISECONDS).whenCompleteAsync((o, error) -> {
            if (call.isCancelled()) {
                return;
            }
            answer(out, () -> {
                Run.Builder b = toProto(gateway.runs().get(request.getRunId())).toBuilder();
                if (o != null) {
                    b.setSwap(RunEventsProto.toProto(o));
                }
                return b.build();
            });
        }, SWAP_ANSWERS);
    }

    @Override
    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> out) {
        answer(out, () -> {
            long episodes = Integer.toUnsignedLong(request.getEpisodes());
            checkRange("episodes", episodes, 0, ApiLimits.MAX_EVAL_EPISODES);
            EvaluationResult r = gateway.runs().evaluate(request.getRunId(), request.getCheckpoint(),
                    (int) Math.max(1, episodes), request.getSeed());
            return EvaluateResponse.newBuilder().addAllReturns(r.returns()).setMeanReturn(r.meanReturn())
                    .setAgent(r.agent()).setCheckpoint(r.checkpoint()).putAllMeanInfos(r.meanInfos()).build();
        });
    }

    @Override
    public void streamMetrics(StreamMetricsRequest request, StreamObserver<MetricEvent> out) {
        TrainingRun run;
        try {
            run = gateway.runs().get(request.getRunId());
        } catch (RuntimeException e) {
            out.onError(toStatus(e));
            return;
        }
        ServerCallStreamObserver<MetricEvent> stream = (ServerCallStreamObserver<MetricEvent>) out;
        Object lock = new Object();
        // the run's thread and this handler may both see the run end: the stream completes once
        AtomicBoolean completed = new AtomicBoolean();
        Runnable complete = () -> {
            synchronized (lock) {
                if (completed.compareAndSet(false, true) && !stream.isCancelled()) {
                    stream.onCompleted();
                }
            }
        };
        RunListener listener = new RunListener() {
            @Override
            public void onScalar(String tag, double value, long step) {
                // a client that reads slower than the run writes loses scalars, not the gateway's memory
                if (stream.isReady()) {
                    send(MetricEvent.newBuilder().setStep(step).setWallTime(now()).setTag(tag).setValue(value).build());
                }
            }

            @Override
            public void onEvent(RunStatus status, RunEvent event) {
                send(MetricEvent.newBuilder().setStep(event.step()).setWallTime(now()).setTag("event").setText(event.text())
                        .setEvent(RunEventsProto.toProto(event)).build());
                if (status.state().isTerminal()) {
                    finish();
                }
            }

            private void send(MetricEvent e) {
                synchronized (lock) {
                    if (!stream.isCancelled() && !completed.get()) {
                        try {
                            stream.onNext(e);
                        } catch (RuntimeException ignored) {
                            // The client went away; the run goes on regardless.
                        }
                    }
                }
            }

            private void finish() {
                run.removeListener(this);
                complete.run();
            }
        };
        stream.setOnCancelHandler(() -> run.removeListener(listener));
        // Decided with the add, not from the state: the state turns terminal just before the run
        // tells RunEnded, and a stream ended in between would miss it.
        if (run.follow(listener, request.getReplayEvents())) {
            run.removeListener(listener);
            complete.run();
        }
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    private Plugin find(String file) {
        return gateway.plugins().plugins().stream().filter(p -> p.file().equals(file)).findFirst().map(GatewayGrpcService::toProto)
                .orElse(null);
    }

    private static String checkPluginFile(String name) {
        if (name == null || !PLUGIN_FILE.matcher(name).matches()) {
            throw new IllegalArgumentException("plugin file names are letters, digits, '.', '_', '-' ending in .jar, got '"
                    + ApiLimits.echo(name) + "'");
        }
        return name;
    }

    static Plugin toProto(PluginInfo p) {
        Plugin.Builder b = Plugin.newBuilder().setFile(p.file()).setState(p.state()).addAllAgents(p.agents());
        if (p.symbolicName() != null) {
            b.setSymbolicName(p.symbolicName());
        }
        if (p.version() != null) {
            b.setVersion(p.version());
        }
        if (p.error() != null) {
            b.setError(p.error());
        }
        return b.build();
    }

    private static Run toProto(TrainingRun run) {
        return toProto(run.status(), run.config().envId(), run.config().runDirectory().toString());
    }

    @SuppressWarnings("deprecation") // fills Run.state for clients older than run_state
    static Run toProto(RunStatus s, String env, String dir) {
        Run.Builder b = Run.newBuilder().setRunId(s.runId()).setRunState(RunEventsProto.toProto(s.state()))
                .setState(s.state().name())
                .setMessage(nullToEmpty(s.message()))
                .setAgent(nullToEmpty(s.agent())).setStep(s.step()).setTotalSteps(s.totalSteps()).setEpisodes(s.episodes())
                .setLastReturn(s.lastReturn()).setStepsPerSecond(s.stepsPerSecond()).setUpdates(s.updates())
                .setWorkerRestarts(s.workerRestarts()).setCutEpisodes(s.cutEpisodes());
        if (env != null) {
            b.setEnv(env);
        }
        if (dir != null) {
            b.setRunDirectory(dir);
        }
        return b.build();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Runs a unary call, mapping exceptions to statuses. */
    private static <T> void answer(StreamObserver<T> out, Callable<T> call) {
        T result;
        try {
            result = call.call();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            out.onError(toStatus(e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    static StatusRuntimeException toStatus(Exception e) {
        Status status;
        if (e instanceof ConfigException || e instanceof EnvException || e instanceof IllegalArgumentException) {
            status = Status.INVALID_ARGUMENT;
        } else if (e instanceof NotFoundException) {
            status = Status.NOT_FOUND;
        } else if (e instanceof IllegalStateException) {
            status = Status.FAILED_PRECONDITION;
        } else if (e instanceof IOException) {
            status = Status.UNAVAILABLE;
        } else {
            LOG.error("internal error in a service call", e);
            status = Status.INTERNAL;
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // The description travels in a trailer: a long one (an error quoting a long input) would overflow the
        // client's header limit and reset the stream.
        if (message.length() > MAX_DESCRIPTION_CHARS) {
            message = message.substring(0, MAX_DESCRIPTION_CHARS) + "…(" + message.length() + " chars)";
        }
        return status.withDescription(message).asRuntimeException();
    }
}
