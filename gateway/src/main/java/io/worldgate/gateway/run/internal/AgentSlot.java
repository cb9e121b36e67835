package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.Agent;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.FactoryListener;
import io.worldgate.gateway.host.PluginHost;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one agent a run uses, and the rules by which it changes while the run goes on.
 *
 * <p>The run's loop thread calls {@link #acquire} at every step boundary. The agent is replaced
 * there, never in the middle of a step, when a higher plugin version appears, when the host takes
 * the current plugin away (then {@link #factoryRemoving} blocks the host until the loop has
 * checkpointed and closed the agent, so no object of a departing bundle outlives it), or after
 * the agent failed. With no usable plugin the loop waits in {@link #acquire}: the run pauses.
 */
public final class AgentSlot implements FactoryListener {
    private static final Logger LOG = LoggerFactory.getLogger(AgentSlot.class);
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(60);
    // A jar replaced in place is stopped before its new version starts: the run is not called
    // paused for a gap shorter than this, which an update fits in.
    private static final Duration PAUSE_GRACE = Duration.ofSeconds(2);

    /** What the slot asks of its run. */
    public interface Lifecycle {
        /** Creates an agent from {@code handle}, handing it the latest checkpoint. */
        Agent create(FactoryHandle handle);

        /** Checkpoints and closes {@code agent}, created from {@code handle}. */
        void retire(FactoryHandle handle, Agent agent, String why);

        /** The slot has no usable plugin and waits; {@code why} says what for. */
        void waiting(String why);
    }

    private volatile String agentName;
    private volatile String pinnedVersion;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, FactoryHandle> available = new HashMap<>();
    private final Map<Long, String> broken = new HashMap<>();
    private final Set<Long> releaseRequested = new HashSet<>();
    private FactoryHandle current;
    private Agent agent;
    private boolean stopping;

    /** A slot for the highest deployed version of {@code agentName}. */
    public AgentSlot(String agentName) {
        this(agentName, null);
    }

    /** A slot for {@code agentName}, at exactly {@code version} when that is not null. */
    public AgentSlot(String agentName, String version) {
        this.agentName = agentName;
        this.pinnedVersion = version;
    }

    /**
     * Points the slot at another agent or version; the run switches at its next step boundary,
     * handing the checkpoint over as in any swap. Plugins already known to the host must be
     * offered again through {@code candidates}.
     */
    public void retarget(String name, String version, java.util.Collection<FactoryHandle> candidates) {
        lock.lock();
        try {
            agentName = name;
            pinnedVersion = version;
            available.clear();
            broken.clear();
            for (FactoryHandle h : candidates) {
                if (h.agentName().equals(name)) {
                    available.put(h.serviceId(), h);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** {@code name} or {@code name@version}: what this slot wants. */
    public String target() {
        return pinnedVersion == null ? agentName : agentName + "@" + pinnedVersion;
    }

    @Override
    public void factoryAdded(FactoryHandle handle) {
        if (!handle.agentName().equals(agentName)) {
            return;
        }
        lock.lock();
        try {
            available.put(handle.serviceId(), handle);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void factoryRemoving(FactoryHandle handle) {
        // No filter by name: after a retarget the agent in use may carry the previous name.
        lock.lock();
        try {
            available.remove(handle.serviceId());
            broken.remove(handle.serviceId());
            if (current == null || current.serviceId() != handle.serviceId()) {
                return;
            }
            releaseRequested.add(handle.serviceId());
            changed.signalAll();
            long nanos = RELEASE_TIMEOUT.toNanos();
            while (current != null && current.serviceId() == handle.serviceId() && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            if (current != null && current.serviceId() == handle.serviceId()) {
                LOG.error("run did not release agent {} within {} s; its bundle goes anyway", handle.label(),
                        RELEASE_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            releaseRequested.remove(handle.serviceId());
            lock.unlock();
        }
    }

    /**
     * The agent to use for the next step, swapping or creating one first if needed. Blocks while
     * no usable plugin is deployed. Returns empty once {@link #stop} was called.
     */
    public Optional<Agent> acquire(Lifecycle lifecycle) throws InterruptedException {
        lock.lock();
        try {
            if (current != null) {
                Optional<FactoryHandle> best = best();
                boolean released = releaseRequested.contains(current.serviceId());
                boolean superseded = best.isPresent() && best.get().serviceId() != current.serviceId();
                boolean retargeted = !current.agentName().equals(agentName)
                        || (pinnedVersion != null && !current.version().equals(pinnedVersion));
                if (retargeted && best.isEmpty()) {
                    retireCurrent(lifecycle, "switching to " + target());
                }
                if (released || superseded) {
                    retireCurrent(lifecycle, released ? current.label() + " is being removed"
                            : "newer " + best.get().label() + " deployed");
                }
            }
            long emptySince = System.nanoTime();
            while (current == null && !stopping) {
                Optional<FactoryHandle> best = best();
                if (best.isEmpty()) {
                    if (System.nanoTime() - emptySince >= PAUSE_GRACE.toNanos()) {
                        lifecycle.waiting(waitingReason());
                    }
                    changed.await(200, TimeUnit.MILLISECONDS);
                    continue;
                }
                FactoryHandle h = best.get();
                try {
                    agent = lifecycle.create(h);
                    current = h;
                } catch (RuntimeException e) {
                    String message = describe(e);
                    broken.put(h.serviceId(), message);
                    LOG.warn("agent {} could not be created: {}", h.label(), message);
                }
            }
            return stopping ? Optional.empty() : Optional.of(agent);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The current agent failed (threw, or returned invalid actions): close it without a
     * checkpoint and wait for another plugin version.
     */
    public void fail(String message) {
        lock.lock();
        try {
            if (current == null) {
                return;
            }
            broken.put(current.serviceId(), message);
            closeQuietly(agent);
            current = null;
            agent = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Checkpoints and closes the current agent, if any, and makes {@link #acquire} return empty. */
    public void stop(Lifecycle lifecycle, String why) {
        lock.lock();
        try {
            stopping = true;
            if (current != null) {
                retireCurrent(lifecycle, why);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting {@link #acquire} so that it returns empty; the loop then calls {@link #stop}. */
    public void requestStop() {
        lock.lock();
        try {
            stopping = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The plugin in use, if any. */
    public Optional<FactoryHandle> current() {
        lock.lock();
        try {
            return Optional.ofNullable(current);
        } finally {
            lock.unlock();
        }
    }

    private void retireCurrent(Lifecycle lifecycle, String why) {
        FactoryHandle h = current;
        Agent a = agent;
        current = null;
        agent = null;
        try {
            lifecycle.retire(h, a, why);
        } finally {
            changed.signalAll();
        }
    }

    private Optional<FactoryHandle> best() {
        String version = pinnedVersion;
        return PluginHost.best(agentName, available.values().stream()
                .filter(h -> !broken.containsKey(h.serviceId()))
                .filter(h -> version == null || h.version().equals(version))
                .toList());
    }

    private String waitingReason() {
        if (!broken.isEmpty()) {
            String why = broken.values().iterator().next();
            return "agent plugin '" + agentName + "' failed: " + why + "; deploy a fixed version to resume";
        }
        return "no plugin offers agent '" + target() + "'; deploy one to resume";
    }

    /** A one-line description of a plugin's exception that keeps no reference to its classes. */
    public static String describe(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    static void closeQuietly(Agent a) {
        try {
            a.close();
        } catch (RuntimeException e) {
            LOG.warn("agent close failed: {}", describe(e));
        }
    }
}
