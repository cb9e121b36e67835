package io.worldgate.gateway.host;

import io.worldgate.api.agent.AgentFactory;
import io.worldgate.gateway.host.internal.DeployDiagnosis;
import io.worldgate.gateway.host.internal.DjlBootstrap;
import io.worldgate.gateway.host.internal.FelixFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.framework.launch.Framework;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OSGi plugin host: an embedded Apache Felix with Declarative Services, ConfigAdmin and
 * FileInstall, watching a deploy directory for agent plugin jars.
 *
 * <p>Dropping a jar into the deploy directory installs and starts it; replacing it updates the
 * bundle; deleting it uninstalls it. Each plugin's {@link AgentFactory} services are tracked, and
 * when several bundles offer the same agent name the highest bundle version wins.
 */
public final class PluginHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);

    private final HostConfig config;
    private final Framework framework;
    private final Path storage;
    private final ServiceTracker<AgentFactory, FactoryHandle> tracker;
    private final Map<Long, FactoryHandle> handles = new ConcurrentHashMap<>();
    private final List<FactoryListener> listeners = new CopyOnWriteArrayList<>();
    private final LearnerFactories learners;

    private PluginHost(HostConfig config, Framework framework, Path storage) {
        this.config = config;
        this.framework = framework;
        this.storage = storage;
        this.learners = new LearnerFactories(framework.getBundleContext());
        this.tracker = new ServiceTracker<>(framework.getBundleContext(), AgentFactory.class, null) {
            @Override
            public FactoryHandle addingService(ServiceReference<AgentFactory> ref) {
                return onAdded(ref);
            }

            @Override
            public void removedService(ServiceReference<AgentFactory> ref, FactoryHandle handle) {
                onRemoved(ref, handle);
            }
        };
    }

    /**
     * Starts the host: initialises DJL's engine on this thread, launches Felix with its fixed
     * bundles and starts watching the deploy directory.
     *
     * @throws HostException if the framework cannot start
     */
    public static PluginHost start(HostConfig config) {
        DjlBootstrap.initialise();
        // FileInstall logs through java.util.logging; send it where everything else goes.
        if (!org.slf4j.bridge.SLF4JBridgeHandler.isInstalled()) {
            org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
            org.slf4j.bridge.SLF4JBridgeHandler.install();
        }
        try {
            Files.createDirectories(config.deployDirectory());
            Path storage = Files.createTempDirectory("worldgate-felix-");
            Framework framework = FelixFactory.launch(config, storage);
            PluginHost host = new PluginHost(config, framework, storage);
            host.tracker.open();
            host.learners.open();
            LOG.info("plugin host started; deploy directory {}", config.deployDirectory());
            return host;
        } catch (IOException | BundleException e) {
            throw new HostException("cannot start the plugin host: " + e.getMessage(), e);
        }
    }

    public Path deployDirectory() {
        return config.deployDirectory();
    }

    /** Registers a listener; it is told at once of every factory already present. */
    public void addListener(FactoryListener listener) {
        listeners.add(listener);
        handles.values().forEach(listener::factoryAdded);
    }

    public void removeListener(FactoryListener listener) {
        listeners.remove(listener);
    }

    /** The learner factories (plugins that train without acting), tracked beside the agent factories. */
    public LearnerFactories learners() {
        return learners;
    }

    /** Every factory registered now. */
    public List<FactoryHandle> factories() {
        return handles.values().stream().sorted(Comparator.comparing(FactoryHandle::agentName)).toList();
    }

    /** The factory for {@code agentName} from the highest bundle version, if any bundle offers one. */
    public Optional<FactoryHandle> bestFactory(String agentName) {
        return best(agentName, handles.values());
    }

    /** The highest version among {@code candidates} named {@code agentName}. */
    public static Optional<FactoryHandle> best(String agentName, java.util.Collection<FactoryHandle> candidates) {
        return candidates.stream()
                .filter(h -> h.agentName().equals(agentName))
                .max(Comparator.<FactoryHandle, Version>comparing(h -> Version.parseVersion(h.version()))
                        .thenComparingLong(FactoryHandle::serviceId));
    }

    /** Every file of the deploy directory and every bundle installed from elsewhere, with its state and any error. */
    public List<PluginInfo> plugins() {
        List<PluginInfo> out = new ArrayList<>(DeployDiagnosis.describe(framework.getBundleContext(),
                config.deployDirectory(), handles.values()));
        out.sort(Comparator.comparing(PluginInfo::file));
        return out;
    }

    /**
     * Waits until FileInstall has processed the deploy directory: nothing pending or starting,
     * and two looks 300 ms apart agree. Returns the last look, settled or not by {@code max}.
     */
    public List<PluginInfo> awaitSettled(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        List<PluginInfo> previous = null;
        while (true) {
            List<PluginInfo> now = plugins();
            boolean busy = now.stream().anyMatch(p -> p.state().equals("PENDING") || p.state().equals("STARTING"));
            if ((!busy && now.equals(previous)) || System.nanoTime() > deadline) {
                return now;
            }
            previous = busy ? null : now;
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return now;
            }
        }
    }

    /**
     * The best factory for {@code agentName}, waiting up to {@code max} for the deploy directory
     * to settle if none is there yet.
     */
    public Optional<FactoryHandle> awaitFactory(String agentName, Duration max) {
        Optional<FactoryHandle> found = bestFactory(agentName);
        if (found.isEmpty()) {
            awaitSettled(max);
            found = bestFactory(agentName);
        }
        return found;
    }

    /** The running framework's bundle context, for tests and host-side services. */
    public BundleContext bundleContext() {
        return framework.getBundleContext();
    }

    private FactoryHandle onAdded(ServiceReference<AgentFactory> ref) {
        BundleContext ctx = framework.getBundleContext();
        AgentFactory factory = ctx.getService(ref);
        if (factory == null) {
            return null;
        }
        Bundle bundle = ref.getBundle();
        String name;
        try {
            name = factory.descriptor().name();
        } catch (RuntimeException e) {
            LOG.error("plugin {} offers an agent factory whose descriptor fails: {}", bundle.getSymbolicName(), e.toString());
            ctx.ungetService(ref);
            return null;
        }
        FactoryHandle handle = new FactoryHandle(name, bundle.getBundleId(), bundle.getSymbolicName(),
                bundle.getVersion().toString(), (Long) ref.getProperty(Constants.SERVICE_ID), factory);
        handles.put(handle.serviceId(), handle);
        LOG.info("agent {} available from {}", handle.label(), bundle.getSymbolicName());
        for (FactoryListener l : listeners) {
            try {
                l.factoryAdded(handle);
            } catch (RuntimeException e) {
                LOG.error("factory listener failed on {}", handle.label(), e);
            }
        }
        return handle;
    }

    private void onRemoved(ServiceReference<AgentFactory> ref, FactoryHandle handle) {
        handles.remove(handle.serviceId());
        LOG.info("agent {} going away", handle.label());
        for (FactoryListener l : listeners) {
            try {
                l.factoryRemoving(handle);
            } catch (RuntimeException e) {
                LOG.error("factory listener failed on removal of {}", handle.label(), e);
            }
        }
        framework.getBundleContext().ungetService(ref);
    }

    @Override
    public void close() {
        learners.close();
        tracker.close();
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("plugin host did not stop cleanly: {}", e.toString());
        } finally {
            FelixFactory.deleteQuietly(storage);
        }
    }
}
