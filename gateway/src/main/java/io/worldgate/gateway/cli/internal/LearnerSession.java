package io.worldgate.gateway.cli.internal;

import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.Checkpoints;
import io.worldgate.gateway.run.LearnerRun;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs a learner run in this process (with a plugin host of its own, whether or not a gateway
 * service is running) and follows it to its end: progress bar (or nothing with {@code --json}),
 * events above it, and a summary. A signal stops it at the next update, checkpointed.
 */
public final class LearnerSession {
    private LearnerSession() {}

    /** Starts a new learner run; returns the exit code (0 finished, 1 otherwise). */
    public static int learn(Path pluginsDir, Path runsDir, LearnerRun.Request request, boolean json, OrderlyExit exit) {
        return inHost(pluginsDir, host -> follow(LearnerRun.create(host, runsDir, request), json, exit));
    }

    /** Goes on with a stored learner run from its newest intact checkpoint. */
    public static int resume(Path pluginsDir, Path runsDir, String runId, boolean json, OrderlyExit exit) {
        return inHost(pluginsDir, host -> follow(LearnerRun.resume(host, runsDir, runId), json, exit));
    }

    private static int inHost(Path pluginsDir, Function<PluginHost, Integer> work) {
        try (PluginHost host = PluginHost.start(HostConfig.of(pluginsDir))) {
            return work.apply(host);
        }
    }

    private static int follow(LearnerRun run, boolean json, OrderlyExit exit) {
        ProgressView progress = json ? null
                : new ProgressView(run.learnerLabel() + " on " + run.config().sourceRun(), run.config().updates(),
                " updates");
        exit.onSignal(run::stop, true);
        RunStatus end;
        try {
            end = run.run(progress != null ? progress : new io.worldgate.gateway.run.RunListener() {});
        } finally {
            if (progress != null) {
                progress.close();
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("run_id", end.runId());
        facts.put("kind", "learner");
        facts.put("learner", end.agent());
        facts.put("source_run", run.config().sourceRun());
        facts.put("state", end.state().name());
        facts.put("updates", end.updates());
        facts.put("message", end.message());
        facts.put("run_directory", run.config().runDirectory().toString());
        Checkpoints.newestIntact(run.config().runDirectory(), false, (d, why) -> {})
                .ifPresent(c -> facts.put("checkpoint", c.directory().toString()));
        if (json) {
            System.out.println(Json.write(facts));
        } else {
            StringBuilder s = new StringBuilder();
            facts.forEach((k, v) -> s.append(String.format("%-14s %s%n", k.replace('_', ' '), v)));
            s.append(String.format("%-14s tensorboard --logdir %s%n", "metrics", run.config().runDirectory()));
            System.out.print(s);
        }
        return end.state() == RunState.FINISHED ? 0 : 1;
    }
}
