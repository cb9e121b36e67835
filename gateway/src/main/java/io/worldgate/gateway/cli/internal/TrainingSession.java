package io.worldgate.gateway.cli.internal;

import io.worldgate.api.agent.AgentConfig;
import io.worldgate.api.agent.ConfigException;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.RunConfig;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.run.TrainingRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/** Runs one training run in this process, from the CLI: host, run, progress bar, summary. */
public final class TrainingSession {

    /** What the user asked for. */
    public record Request(Path pluginsDir, Path runsDir, String agent, String preset, Map<String, String> overrides,
            String env, Map<String, String> envOptions, int numEnvs, long steps, long seed, double trainRatio,
            long prefill, long checkpointEvery, String device, boolean json) {}

    private TrainingSession() {}

    /** Parses {@code key=value} pairs given with {@code --set}. */
    public static Map<String, String> parseAssignments(List<String> assignments, String option) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(option + " takes key=value, got '" + a + "'");
            }
            out.put(a.substring(0, eq).trim(), a.substring(eq + 1).trim());
        }
        return out;
    }

    /** Runs the request to its end; returns the exit code (0 finished, 1 failed or stopped). */
    public static int run(Request r) throws InterruptedException {
        EnvRegistry envs = EnvRegistry.withBuiltins();
        try (PluginHost host = PluginHost.start(HostConfig.of(r.pluginsDir()))) {
            FactoryHandle factory = host.awaitFactory(r.agent(), Duration.ofSeconds(20))
                    .orElseThrow(() -> new ConfigException(noSuchAgent(host, r.agent())));
            // Reject bad keys and values now, with the list of valid keys, not inside the run.
            AgentConfig resolved = AgentConfig.resolve(factory.factory().descriptor(), r.preset(), r.overrides());
            String runId = newRunId(r.runsDir(), r.agent(), r.env());
            RunConfig config = new RunConfig(runId, r.agent(), r.preset(), r.overrides(), r.env(), r.envOptions(), r.numEnvs(),
                    r.steps(), r.seed(), r.trainRatio(), r.prefill(), r.checkpointEvery(), r.runsDir().resolve(runId), r.device());
            writeConfig(config, resolved);

            AtomicInteger swaps = new AtomicInteger();
            ProgressView progress = r.json() ? null : new ProgressView(r.agent() + " on " + r.env(), r.steps());
            RunListener listener = new RunListener() {
                @Override
                public void onProgress(RunStatus s) {
                    if (progress != null) {
                        progress.onProgress(s);
                    }
                }

                @Override
                public void onEvent(RunStatus s, String event) {
                    if (event.contains("took over from checkpoint") || event.contains("starts fresh")) {
                        swaps.incrementAndGet();
                    }
                    if (progress != null) {
                        progress.onEvent(s, event);
                    }
                }
            };
            long start = System.nanoTime();
            TrainingRun run = new TrainingRun(config, host, envs, listener).start();
            Thread stopper = new Thread(() -> {
                run.stop();
                try {
                    run.await(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "stop-run-on-exit");
            Runtime.getRuntime().addShutdownHook(stopper);
            RunStatus end = run.await(Duration.ofDays(3650));
            Runtime.getRuntime().removeShutdownHook(stopper);
            if (progress != null) {
                progress.onProgress(end);
                progress.close();
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            List<Double> returns = run.episodeReturns();
            Map<String, Object> facts = RunSummary.facts(config, end, returns, wall,
                    run.lastCheckpoint().map(Path::toString).orElse(null), swaps.get());
            facts.put("agent_version", run.lastAgentLabel());
            facts.put("metrics", run.metrics());
            if (r.json()) {
                System.out.println(Json.write(facts));
            } else {
                String last = run.lastAgentLabel();
                String agents = last == null || last.equals(factory.label()) ? factory.label() : factory.label() + " -> " + last;
                System.out.print(RunSummary.render(facts, returns, agents));
            }
            return end.state() == RunState.FINISHED ? 0 : 1;
        }
    }

    private static String noSuchAgent(PluginHost host, String agent) {
        String available = host.factories().stream().map(FactoryHandle::label).distinct().collect(Collectors.joining(", "));
        String failed = host.plugins().stream().filter(p -> p.error() != null)
                .map(p -> "\n  " + p.file() + ": " + p.error()).collect(Collectors.joining());
        return "no deployed plugin offers agent '" + agent + "' in " + host.deployDirectory()
                + (available.isEmpty() ? "; no agents are deployed (./worldgate build deploys the bundled ones)" : "; available: " + available)
                + (failed.isEmpty() ? "" : "\nplugins with errors:" + failed);
    }

    private static String newRunId(Path runsDir, String agent, String env) {
        String base = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + agent + "-"
                + env.replaceAll("[^A-Za-z0-9]+", "-");
        String id = base;
        for (int i = 2; Files.exists(runsDir.resolve(id)); i++) {
            id = base + "-" + i;
        }
        return id;
    }

    private static void writeConfig(RunConfig config, AgentConfig agentConfig) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("run", config);
        doc.put("agent_config", agentConfig.asMap());
        try {
            Files.createDirectories(config.runDirectory());
            Files.writeString(config.runDirectory().resolve("config.json"), Json.write(doc));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write run config: " + e.getMessage(), e);
        }
    }

}
