package io.worldgate.gateway.metrics;

import static io.worldgate.gateway.metrics.MetricsRegistry.labels;

import io.worldgate.gateway.run.RunState;
import io.worldgate.gateway.run.RunStatus;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Publishes run snapshots as the standard Worldgate series of a {@link MetricsRegistry}:
 * <pre>
 * worldgate_run_steps_total{run}           counter  env steps taken
 * worldgate_run_episodes_total{run}        counter  episodes finished
 * worldgate_run_updates_total{run}         counter  gradient updates
 * worldgate_run_steps_per_second{run}      gauge    recent throughput
 * worldgate_run_episode_return{run}        gauge    return of the latest episode (NaN before one)
 * worldgate_run_step_budget{run}           gauge    the run's step budget
 * worldgate_runs{state}                    gauge    runs in each state (every state, 0 included)
 * </pre>
 * Call {@link #publish} with all current runs (for example from
 * {@link MetricsRegistry#beforeScrape}); series of runs no longer listed are removed.
 */
public final class RunMetricsExporter {
    private final MetricsRegistry registry;
    private final Set<String> published = new HashSet<>();

    public RunMetricsExporter(MetricsRegistry registry) {
        this.registry = registry;
    }

    /** Updates the series from these snapshots, one per run. */
    public synchronized void publish(Collection<RunStatus> runs) {
        Map<RunState, Integer> byState = new EnumMap<>(RunState.class);
        for (RunState s : RunState.values()) {
            byState.put(s, 0);
        }
        Set<String> current = new HashSet<>();
        for (RunStatus r : runs) {
            current.add(r.runId());
            byState.merge(r.state(), 1, Integer::sum);
            Map<String, String> run = labels("run", r.runId());
            registry.counter("worldgate_run_steps_total", "Env steps taken by the run.", run).advanceTo(r.step());
            registry.counter("worldgate_run_episodes_total", "Episodes the run finished.", run).advanceTo(r.episodes());
            registry.counter("worldgate_run_updates_total", "Gradient updates the run's agent ran.", run)
                    .advanceTo(r.updates());
            registry.gauge("worldgate_run_steps_per_second", "Recent env steps per second of the run.", run)
                    .set(r.stepsPerSecond());
            registry.gauge("worldgate_run_episode_return", "Return of the run's latest finished episode.", run)
                    .set(r.lastReturn());
            registry.gauge("worldgate_run_step_budget", "Env steps the run is to take in all.", run).set(r.totalSteps());
        }
        for (String gone : published) {
            if (!current.contains(gone)) {
                registry.removeAll("run", gone);
            }
        }
        published.clear();
        published.addAll(current);
        byState.forEach((state, n) -> registry.gauge("worldgate_runs", "Runs in each state.",
                labels("state", state.name())).set(n));
    }
}
