package io.worldgate.gateway.service;

import io.worldgate.gateway.bridge.EnvRegistry;
import io.worldgate.gateway.host.HostConfig;
import io.worldgate.gateway.host.PluginHost;
import java.nio.file.Path;

/**
 * The gateway application: the plugin host, the environment families and the training runs,
 * used alike by the in-process CLI and by {@code worldgate serve}.
 */
public final class Gateway implements AutoCloseable {
    private final PluginHost host;
    private final EnvRegistry envs;
    private final RunManager runs;

    private Gateway(PluginHost host, EnvRegistry envs, RunManager runs) {
        this.host = host;
        this.envs = envs;
        this.runs = runs;
    }

    /** Starts the plugin host on {@code pluginsDir}; runs live under {@code runsDir}. */
    public static Gateway start(Path pluginsDir, Path runsDir) {
        PluginHost host = PluginHost.start(HostConfig.of(pluginsDir));
        EnvRegistry envs = EnvRegistry.withBuiltins();
        return new Gateway(host, envs, new RunManager(host, envs, runsDir));
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

    /** Stops every run (each checkpoints its agent), then the plugin host. */
    @Override
    public void close() {
        runs.close();
        host.close();
    }
}
