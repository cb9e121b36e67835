package io.worldgate.gateway.cli;

import io.worldgate.gateway.cli.internal.GatewayClient;
import io.worldgate.gateway.cli.internal.Json;
import io.worldgate.gateway.cli.internal.SwapReply;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code worldgate swap RUN AGENT}. */
@Command(name = "swap", description = "Switch a run of the service to another agent at its next step boundary and wait for it: "
        + "name (its highest deployed version) or name@version (that version, pinned).")
final class SwapCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "RUN")
    String runId;

    @Parameters(index = "1", paramLabel = "AGENT", description = "name or name@version")
    String agent;

    @Option(names = "--wait", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Wait until the swap happened or failed (default); --no-wait returns once it is asked for.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "60", description = "Seconds to wait, 1 to 600 (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        if (timeoutSeconds < 1 || timeoutSeconds > 600) {
            throw new IllegalArgumentException("--timeout is 1 to 600 seconds, got " + timeoutSeconds);
        }
        try (GatewayClient client = main.client()) {
            if (client.inProcess()) {
                throw new IllegalArgumentException("no gateway service is running for " + main.runsDir
                        + "; swap works on runs of a service (worldgate serve), or drop a new plugin jar into the deploy directory");
            }
            SwapReply reply = client.swap(runId, agent, await ? Duration.ofSeconds(timeoutSeconds) : Duration.ZERO);
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("outcome", reply.outcome().map(o -> o instanceof RunEvent.AgentSwapped ? "AGENT_SWAPPED" : "SWAP_REJECTED")
                        .orElse("PENDING"));
                out.put("event", reply.outcome().orElse(null));
                out.put("run", reply.status());
                System.out.println(Json.write(out));
            } else {
                System.out.println("run " + runId + ": " + reply.outcome().map(SwapOutcome::text).orElse(await
                        ? "the swap to " + agent + " did not happen within " + timeoutSeconds + " s; it happens at the run's next step boundary"
                        : "swap to " + agent + " asked for; it happens at the run's next step boundary"));
            }
            return reply.outcome().map(SwapCommand::exitCode).orElse(await ? 1 : 0);
        }
    }

    /** 0 done (or nothing to do), 2 for a version that is not deployed, 1 for the rest. */
    private static int exitCode(SwapOutcome outcome) {
        if (outcome instanceof RunEvent.SwapRejected r) {
            return switch (r.reason()) {
                case ALREADY_RUNNING -> 0;
                case NOT_DEPLOYED -> 2;
                case AGENT_NOT_CREATED, SUPERSEDED, RUN_ENDED -> 1;
            };
        }
        return 0;
    }
}
