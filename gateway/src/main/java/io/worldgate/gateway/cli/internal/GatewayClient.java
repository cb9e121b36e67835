package io.worldgate.gateway.cli.internal;

import io.worldgate.gateway.host.PluginInfo;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.service.EvaluationResult;
import io.worldgate.gateway.service.RunRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the CLI asks of a gateway, whether it runs in this process or as a service
 * ({@code worldgate serve}); the commands do not care which.
 */
public interface GatewayClient extends AutoCloseable {

    /** "in-process", or "service at host:port". */
    String describe();

    /** Whether runs live in this process (and end with it). */
    boolean inProcess();

    List<PluginInfo> plugins();

    /** The agent {@code name} (highest version) or {@code name@version}: its config keys, defaults and presets. */
    AgentInfo describeAgent(String selector);

    /** family -> (id -> description). */
    Map<String, Map<String, String>> envs();

    /** Starts a run; {@code listener} (may be null) hears its events and scalars from the first on. */
    RunStatus start(RunRequest request, RunListener listener);

    RunStatus status(String runId);

    /** The run's directory, as the gateway sees it. */
    String runDirectory(String runId);

    RunStatus stop(String runId);

    /** Resumes a stored run; {@code listener} (may be null) hears its events and scalars from the first on. */
    RunStatus resume(String runId, RunListener listener);

    /**
     * Asks for a swap of the run's agent to {@code agent} ({@code name} or {@code name@version})
     * and waits up to {@code wait} (zero: not at all) for it to happen or fail.
     */
    SwapReply swap(String runId, String agent, Duration wait);

    /** Asks for a swap and returns at once. */
    default RunStatus swap(String runId, String agent) {
        return swap(runId, agent, Duration.ZERO).status();
    }

    List<RunStatus> runs(boolean includeStored);

    EvaluationResult evaluate(String runId, String checkpoint, int episodes, long seed);

    /**
     * Calls {@code listener}'s {@code onEvent} and {@code onScalar} for what the run does from now
     * on, on a background thread, until it ends or the returned handle is closed.
     */
    AutoCloseable follow(String runId, RunListener listener);

    @Override
    void close();
}
