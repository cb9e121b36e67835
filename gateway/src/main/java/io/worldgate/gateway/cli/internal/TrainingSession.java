package io.worldgate.gateway.cli.internal;

import io.worldgate.api.agent.ConfigException;
import io.worldgate.gateway.run.RunDirectory;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunListener;
import io.worldgate.gateway.run.RunScalars;
import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import io.worldgate.gateway.service.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Follows one run from the CLI to its end: progress bar (or nothing with {@code --json}),
 * events above it, and the summary. Works the same for a run in this process and in a service.
 */
public final class TrainingSession {
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

    /**
     * How a followed run ended.
     *
     * @param lastEvaluationInfos the last evaluation's mean of each number the environment reports
     *     beside its observations, e.g. {@code success}: its success rate (empty when none)
     */
    public record Outcome(int exitCode, RunStatus status, OptionalDouble lastEvaluation,
            Map<String, Double> lastEvaluationInfos, OptionalDouble bestEvaluation, long bestEvaluationStep,
            Optional<Path> lastVideo, String runDirectory) {}

    /**
     * Starts a run and follows it to its end; returns the exit code (0 finished, 1 otherwise). A
     * signal to this process (see {@link OrderlyExit}) stops a run it runs itself, as a normal stop.
     */
    public static int train(GatewayClient client, RunRequest request, boolean json, OrderlyExit exit) throws InterruptedException {
        return follow(client, request, json, exit).exitCode();
    }

    /** Starts a run, follows it to its end with progress and summary, and says how it ended. */
    public static Outcome follow(GatewayClient client, RunRequest request, boolean json, OrderlyExit exit)
            throws InterruptedException {
        Follower f = new Follower(json, request.agent() + " on " + request.env(), request.steps());
        RunStatus started = client.start(request, f);
        return f.await(client, started.runId(), json, exit);
    }

    /** Starts a run and waits for its end without printing anything. */
    public static Outcome quietly(GatewayClient client, RunRequest request, OrderlyExit exit) throws InterruptedException {
        Follower f = new Follower(true, request.agent() + " on " + request.env(), request.steps());
        f.silent = true;
        RunStatus started = client.start(request, f);
        return f.await(client, started.runId(), true, exit);
    }

    /** Resumes a stored run and follows it to its end. */
    public static int resume(GatewayClient client, String runId, boolean json, OrderlyExit exit) throws InterruptedException {
        Follower f = new Follower(json, "resume " + runId, 0);
        RunStatus resumed = client.resume(runId, f);
        f.progressTotal(resumed.totalSteps());
        return f.await(client, runId, json, exit).exitCode();
    }

    /** Hears a run's events and episode returns, and draws its progress. */
    private static final class Follower implements RunListener {
        private final String title;
        private final boolean json;
        private final List<Double> returns = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger swaps = new AtomicInteger();
        private final List<String> earlyEvents = Collections.synchronizedList(new ArrayList<>());
        private volatile ProgressView progress;
        private volatile String firstAgent;
        private volatile String lastAgent;
        private volatile double lastEvaluation = Double.NaN;
        private volatile Map<String, Double> lastEvaluationInfos = Map.of();
        private volatile double bestEvaluation = Double.NaN;
        private volatile long bestEvaluationStep;
        private volatile String lastVideo;
        private boolean silent;
        private long total;

        Follower(boolean json, String title, long total) {
            this.json = json;
            this.title = title;
            this.total = total;
            if (!json && total > 0) {
                progress = new ProgressView(title, total);
            }
        }

        void progressTotal(long totalSteps) {
            this.total = totalSteps;
            if (!json && progress == null) {
                progress = new ProgressView(title, totalSteps);
                earlyEvents.forEach(e -> System.err.println(e));
            }
        }

        @Override
        public void onEvent(RunStatus s, RunEvent event) {
            if (event instanceof RunEvent.AgentSwapped) {
                swaps.incrementAndGet();
            } else if (event instanceof RunEvent.EvaluationFinished e) {
                lastEvaluationInfos = e.meanInfos();
            } else if (event instanceof RunEvent.EvaluationVideoWritten v) {
                lastVideo = v.path();
            } else if (event instanceof RunEvent.AgentCreated c) {
                if (firstAgent == null) {
                    firstAgent = c.agent();
                }
                lastAgent = c.agent();
            }
            onEvent(s, event.text());
        }

        @Override
        public void onEvent(RunStatus s, String event) {
            ProgressView p = progress;
            if (p != null) {
                p.onEvent(s, event);
            } else if (!json) {
                earlyEvents.add("[step " + s.step() + "] " + event);
            }
        }

        @Override
        public void onScalar(String tag, double value, long step) {
            if (tag.equals(RunScalars.EPISODE_RETURN)) {
                returns.add(value);
            } else if (tag.equals(RunScalars.EVAL_RETURN)) {
                lastEvaluation = value;
                if (Double.isNaN(bestEvaluation) || value > bestEvaluation) {
                    bestEvaluation = value;
                    bestEvaluationStep = step;
                }
            }
        }

        Outcome await(GatewayClient client, String runId, boolean json, OrderlyExit exit) throws InterruptedException {
            long start = System.nanoTime();
            if (client.inProcess()) {
                // The run stops at its next step boundary and checkpoints; the JVM waits while this
                // thread sees it end, writes the summary and closes the gateway.
                exit.onSignal(() -> client.stop(runId), true);
            } else {
                exit.onSignal(() -> System.err.println("\n[worldgate] the run goes on in the " + client.describe()
                        + "; stop it with: worldgate runs stop " + runId), false);
            }
            RunStatus s;
            while (true) {
                s = client.status(runId);
                ProgressView p = progress;
                if (p != null) {
                    p.onProgress(s);
                }
                if (s.state().isTerminal()) {
                    break;
                }
                Thread.sleep(250);
            }
            if (!client.inProcess()) {
                exit.onSignal(null, false);
            }
            if (progress != null) {
                progress.close();
            }
            Duration wall = Duration.ofNanos(System.nanoTime() - start);
            String dir = client.runDirectory(runId);
            Map<String, Object> facts = RunSummary.facts(s, client.describe(), dir, List.copyOf(returns), wall,
                    latestCheckpoint(dir), swaps.get());
            Optional<Path> video = Optional.ofNullable(lastVideo).map(v -> Path.of(dir).resolve(v));
            if (!Double.isNaN(lastEvaluation)) {
                facts.put("last_evaluation", lastEvaluation);
                if (!lastEvaluationInfos.isEmpty()) {
                    facts.put("last_evaluation_infos", lastEvaluationInfos);
                }
            }
            video.ifPresent(v -> facts.put("video", v.toString()));
            if (silent) {
                // the caller reports
            } else if (json) {
                System.out.println(Json.write(facts));
            } else {
                String agents = firstAgent == null || firstAgent.equals(lastAgent) ? s.agent() : firstAgent + " -> " + lastAgent;
                System.out.print(RunSummary.render(facts, List.copyOf(returns), agents));
            }
            return new Outcome(s.state() == RunState.FINISHED ? 0 : 1, s, optional(lastEvaluation), lastEvaluationInfos,
                    optional(bestEvaluation), bestEvaluationStep, video, dir);
        }
    }

    private static OptionalDouble optional(double value) {
        return Double.isNaN(value) ? OptionalDouble.empty() : OptionalDouble.of(value);
    }

    /** The newest checkpoint directory, when the run directory is on this machine. */
    private static String latestCheckpoint(String runDir) {
        Path dir = new RunDirectory(Path.of(runDir)).checkpoints();
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.max(Comparator.comparing(p -> p.getFileName().toString())).map(Path::toString).orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
