package io.worldgate.gateway.service.internal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.gateway.bridge.EnvException;
import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.host.PluginInfo;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.service.EvaluationResult;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.NotFoundException;
import io.worldgate.gateway.service.RunRequest;
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
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's gRPC API over one {@link Gateway}. Every call validates its input and fails with
 * a status meant for people; nothing stored changes when a call fails.
 */
public final class GatewayGrpcService extends GatewayGrpc.GatewayImplBase {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayGrpcService.class);
    private static final Pattern PLUGIN_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.jar");

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
            Path tmp = deploy.resolve("." + name + ".upload");
            Files.write(tmp, request.getJar().toByteArray());
            Files.move(tmp, deploy.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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
            RunRequest request = new RunRequest(r.getAgent(), r.getPreset(), r.getAgentConfigMap(), r.getEnv(),
                    r.getEnvOptionsMap(), r.getNumEnvs() == 0 ? 1 : r.getNumEnvs(), r.getSteps(), r.getSeed(),
                    r.getTrainRatio(), r.getPrefill(), r.getCheckpointEvery(), r.getEvalEvery(),
                    r.getEvalEpisodes() == 0 ? 1 : r.getEvalEpisodes(), r.getDevice());
            if (request.numEnvs() < 0 || request.steps() < 0 || request.prefill() < 0 || request.checkpointEvery() < 0
                    || request.evalEvery() < 0) {
                throw new IllegalArgumentException("counts must be below 2^63");
            }
            if (!Double.isFinite(request.trainRatio()) || request.trainRatio() < 0) {
                throw new IllegalArgumentException("train_ratio must be a finite number >= 0, got " + request.trainRatio());
            }
            return toProto(gateway.runs().start(request));
        });
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
        answer(out, () -> {
            if (request.getAgent().isBlank()) {
                throw new IllegalArgumentException("agent is required: name or name@version");
            }
            gateway.runs().swap(request.getRunId(), request.getAgent());
            return toProto(gateway.runs().get(request.getRunId()));
        });
    }

    @Override
    public void evaluate(EvaluateRequest request, StreamObserver<EvaluateResponse> out) {
        answer(out, () -> {
            if (request.getEpisodes() > 1000) {
                throw new IllegalArgumentException("at most 1000 evaluation episodes per call, got " + request.getEpisodes());
            }
            EvaluationResult r = gateway.runs().evaluate(request.getRunId(), request.getCheckpoint(),
                    Math.max(1, request.getEpisodes()), request.getSeed());
            return EvaluateResponse.newBuilder().addAllReturns(r.returns()).setMeanReturn(r.meanReturn())
                    .setAgent(r.agent()).setCheckpoint(r.checkpoint()).build();
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
        RunListener listener = new RunListener() {
            @Override
            public void onScalar(String tag, double value, long step) {
                send(MetricEvent.newBuilder().setStep(step).setWallTime(now()).setTag(tag).setValue(value).build());
            }

            @Override
            public void onEvent(RunStatus status, String event) {
                send(MetricEvent.newBuilder().setStep(status.step()).setWallTime(now()).setTag("event").setText(event).build());
                if (status.state().isTerminal()) {
                    finish();
                }
            }

            private void send(MetricEvent e) {
                synchronized (lock) {
                    if (!stream.isCancelled()) {
                        try {
                            stream.onNext(e);
                        } catch (RuntimeException ignored) {
                            // The client went away; the run goes on regardless.
                        }
                    }
                }
            }

            private void finish() {
                synchronized (lock) {
                    run.removeListener(this);
                    if (!stream.isCancelled()) {
                        stream.onCompleted();
                    }
                }
            }
        };
        stream.setOnCancelHandler(() -> run.removeListener(listener));
        run.addListener(listener);
        if (run.status().state().isTerminal()) {
            run.removeListener(listener);
            synchronized (lock) {
                stream.onCompleted();
            }
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
            throw new IllegalArgumentException("plugin file names are letters, digits, '.', '_', '-' ending in .jar, got '" + name + "'");
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

    static Run toProto(RunStatus s, String env, String dir) {
        Run.Builder b = Run.newBuilder().setRunId(s.runId()).setState(s.state().name()).setMessage(nullToEmpty(s.message()))
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
        return status.withDescription(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()).asRuntimeException();
    }
}
