package io.worldgate.gateway.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.PluginHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Small helpers for tests that drive runs. */
public final class RunFixtures {
    private RunFixtures() {}

    /** An endless (1e12-step) run of {@code agent} on two java:CartPole environments. */
    static RunConfig endless(String id, String agent, Path dir, Map<String, String> overrides) {
        return new RunConfig(id, agent, null, overrides, "java:CartPole", Map.of(), 2, 1_000_000_000_000L, 7, 0, 0, 0, 0, 1,
                dir.resolve("runs").resolve(id), "cpu");
    }

    /**
     * Runs {@code config} on the built-in envs to its end, waiting at most {@code limit} (then it is
     * stopped); asserts it FINISHED and, when it was to be evaluated, was; returns its evaluations
     * (step, return).
     * For the agents' learning tests.
     */
    public static List<double[]> trainToTheEnd(RunConfig config, PluginHost host, Events events, Duration limit)
            throws InterruptedException {
        TrainingRun run = new TrainingRun(config, host, EnvRegistry.withBuiltins(), events).start();
        RunStatus end = run.await(limit);
        if (end.state() != RunState.FINISHED) {
            run.stop();
            run.await(Duration.ofSeconds(30));
        }
        assertThat(end.state()).as("%s: %s", config.agentName(), events.events).isEqualTo(RunState.FINISHED);
        List<double[]> evaluations = run.evaluations();
        if (config.evalEvery() > 0) {
            assertThat(evaluations).as("%s evaluations: %s", config.agentName(), events.events).isNotEmpty();
        }
        return evaluations;
    }

    /** Records every event a run reports: typed, for assertions, and as text, for failure messages only. */
    public static class Events implements RunListener {
        public final List<String> events = new CopyOnWriteArrayList<>();
        public final List<RunEvent> typed = new CopyOnWriteArrayList<>();

        @Override
        public void onEvent(RunStatus status, RunEvent event) {
            typed.add(event);
            onEvent(status, event.text());
        }

        /** The events of one kind, in order. */
        public <T extends RunEvent> List<T> of(Class<T> kind) {
            return typed.stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        @Override
        public void onEvent(RunStatus status, String event) {
            events.add("step " + status.step() + ": " + event);
        }
    }
}
