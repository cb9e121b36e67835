package io.worldgate.gateway.cli.internal;

import io.worldgate.gateway.bridge.EnvFactory;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginInfo;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import io.worldgate.gateway.service.AgentLookup;
import io.worldgate.gateway.service.EvaluationResult;
import io.worldgate.gateway.service.Gateway;
import io.worldgate.gateway.service.RunRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A gateway started in this process for one command; its runs end with the command. */
public final class LocalGatewayClient implements GatewayClient {
    private final Gateway gateway;

    public LocalGatewayClient(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public String describe() {
        return "in-process";
    }

    @Override
    public boolean inProcess() {
        return true;
    }

    @Override
    public List<PluginInfo> plugins() {
        return gateway.plugins().awaitSettled(Duration.ofSeconds(15));
    }

    @Override
    public AgentInfo describeAgent(String selector) {
        gateway.plugins().awaitSettled(Duration.ofSeconds(15));
        FactoryHandle handle = AgentLookup.find(gateway.plugins(), selector);
        return new AgentInfo(handle.label(), handle.factory().descriptor());
    }

    @Override
    public Map<String, Map<String, String>> envs() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (EnvFactory f : gateway.envs().families()) {
            out.put(f.family(), f.examples());
        }
        return out;
    }

    @Override
    public RunStatus start(RunRequest request, RunListener listener) {
        return (listener == null ? gateway.runs().start(request) : gateway.runs().start(request, listener)).status();
    }

    @Override
    public RunStatus status(String runId) {
        return gateway.runs().get(runId).status();
    }

    @Override
    public String runDirectory(String runId) {
        return gateway.runs().get(runId).config().runDirectory().toString();
    }

    @Override
    public RunStatus stop(String runId) {
        try {
            return gateway.runs().stop(runId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return status(runId);
        }
    }

    @Override
    public RunStatus resume(String runId, RunListener listener) {
        return (listener == null ? gateway.runs().resume(runId) : gateway.runs().resume(runId, listener)).status();
    }

    @Override
    public SwapReply swap(String runId, String agent, Duration wait) {
        CompletableFuture<SwapOutcome> outcome = gateway.runs().swap(runId, agent);
        SwapOutcome o = null;
        try {
            o = wait.isZero() ? outcome.getNow(null) : outcome.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // still pending: the reply says so
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("swap failed: " + e.getCause(), e.getCause());
        }
        return new SwapReply(status(runId), Optional.ofNullable(o));
    }

    @Override
    public List<RunStatus> runs(boolean includeStored) {
        return gateway.runs().list(includeStored);
    }

    @Override
    public EvaluationResult evaluate(String runId, String checkpoint, int episodes, long seed) {
        return gateway.runs().evaluate(runId, checkpoint, episodes, seed);
    }

    @Override
    public AutoCloseable follow(String runId, RunListener listener) {
        TrainingRun run = gateway.runs().get(runId);
        run.addListener(listener);
        return () -> run.removeListener(listener);
    }

    @Override
    public void close() {
        gateway.close();
    }
}
