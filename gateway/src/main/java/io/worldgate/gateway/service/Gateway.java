package io.worldgate.gateway.service;

import io.worldgate.gateway.bridge.BridgeConfig;
import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.metrics.MetricsRegistry;
import io.worldgate.gateway.metrics.RunMetricsExporter;
import java.nio.file.Path;

/**
 * The gateway application: the plugin host, the environment families and the training runs,
 * used alike by the in-process CLI and by {@code worldgate serve}.
 */
public final class Gateway implements AutoCloseable {
    private final PluginHost host;
    private final EnvRegistry envs;
    private final RunManager runs;
    private final MetricsRegistry metrics;

    private Gateway(PluginHost host, EnvRegistry envs, RunManager runs, MetricsRegistry metrics) {
        this.host = host;
        this.envs = envs;
        this.runs = runs;
        this.metrics = metrics;
    }

    /** Starts the plugin host on {@code pluginsDir}; runs live under {@code runsDir}. */
    public static Gateway start(Path pluginsDir, Path runsDir) {
        return start(pluginsDir, runsDir, BridgeConfig.defaults());
    }

    /** As {@link #start(Path, Path)}, with the Python families served as {@code bridge} says. */
    public static Gateway start(Path pluginsDir, Path runsDir, BridgeConfig bridge) {
        PluginHost host = PluginHost.start(HostConfig.of(pluginsDir));
        EnvRegistry envs = EnvRegistry.withBuiltins(bridge);
        MetricsRegistry metrics = new MetricsRegistry();
        RunManager runs = new RunManager(host, envs, runsDir, metrics);
        RunMetricsExporter exporter = new RunMetricsExporter(metrics);
        metrics.beforeScrape(() -> exporter.publish(runs.list(false)));
        return new Gateway(host, envs, runs, metrics);
    }

    public PluginHost plugins() {
        return host;
    }

    public EnvRegistry envs() {
        return envs;
    }

    public RunManager runs() {
        return runs;
    }

    /** Gauges and counters of every run, in the Prometheus text format when scraped. */
    public MetricsRegistry metrics() {
        return metrics;
    }

    /** Stops every run (each checkpoints its agent), then the plugin host. */
    @Override
    public void close() {
        runs.close();
        host.close();
    }
}
