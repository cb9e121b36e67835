package io.worldgate.gateway.run.internal.metrics;

import static io.worldgate.gateway.metrics.MetricsRegistry.labels;

import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.run.MetricsWriter;
import java.util.Map;

/**
 * Mirrors a run's scalars into a {@link MetricsRegistry} as
 * {@code worldgate_run_scalar{run="...",tag="loss/model"}} (the latest value) and
 * {@code worldgate_run_scalar_step{run,tag}} (its env step), so that Prometheus sees losses and
 * returns too. Images and videos are ignored. The series stay after the run ends, until the
 * run's series are removed ({@link MetricsRegistry#removeAll}, as {@link io.worldgate.gateway.metrics.RunMetricsExporter} does
 * for runs no longer listed).
 */
public final class RegistryMetricsWriter implements MetricsWriter {
    private final MetricsRegistry registry;
    private final String runId;

    public RegistryMetricsWriter(MetricsRegistry registry, String runId) {
        this.registry = registry;
        this.runId = runId;
    }

    @Override
    public void scalar(String tag, double value, long step) {
        Map<String, String> key = labels("run", runId, "tag", tag);
        registry.gauge("worldgate_run_scalar", "Latest value of each scalar a run logs, by tag.", key).set(value);
        registry.gauge("worldgate_run_scalar_step", "Env step of the latest value of each scalar, by tag.", key).set(step);
    }
}
