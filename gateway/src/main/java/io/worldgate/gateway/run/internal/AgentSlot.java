package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.Agent;
import io.worldgate.api.agent.ServiceUnavailableException;
import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.FactoryListener;
import io.worldgate.gateway.host.PluginHost;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.AgentSwapped;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunEvent.SwapRejected;
import io.worldgate.gateway.run.internal.ServiceBindings.Key;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one agent a run uses, and the rules by which it changes while the run goes on.
 *
 * <p>The run's loop thread calls {@link #acquire} at every step boundary. The agent is replaced
 * there, never in the middle of a step, when a higher plugin version appears, when the host takes
 * the current plugin away (then {@link #factoryRemoving} blocks the host until the loop has
 * checkpointed and closed the agent, so no object of a departing bundle outlives it), after
 * the agent failed, or when a swap was asked for ({@link #retarget}). With no usable plugin the
 * loop waits in {@link #acquire}: the run pauses. Each change of agent is told as an
 * {@link AgentSwapped} event; a requested swap that cannot happen as a {@link SwapRejected}, and
 * the run goes on with the agent it had. What is asked for, and the telling of each outcome, is
 * kept by {@link SwapRequests}; this class decides when the agent changes and hands it over
 * between the loop and the host's threads.
 *
 * <p>Services of other plugins that an agent obtains through its context are bound to that agent
 * ({@link AgentServices}) and follow the same rules: when one is unregistered,
 * {@link #serviceUnregistering} blocks the provider until the loop has checkpointed and closed its
 * consumer, which is then made again from that checkpoint and binds what replaces the service.
 * An agent that throws {@link ServiceUnavailableException} waits, the run paused, until a matching
 * service is registered; a registration that would serve the agent better (one it found missing,
 * or a higher ranking) has it made again at the next step boundary. When the service's plugin
 * registered a {@link io.worldgate.api.agent.ServiceFailure} for it instead, {@link #acquire}
 * throws {@link ServiceFailedException}: the run fails.
 */
public final class AgentSlot implements FactoryListener {
    private static final Logger LOG = LoggerFactory.getLogger(AgentSlot.class);
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(60);
    // A jar replaced in place is stopped before its new version starts: the run is not called
    // paused for a gap shorter than this, which an update fits in.
    private static final Duration PAUSE_GRACE = Duration.ofSeconds(2);

    /** What the slot asks of its run. */
    public interface Lifecycle {
        /**
         * Creates an agent from {@code handle}, handing it the latest checkpoint; its context
         * looks other plugins' services up in {@code services}.
         */
        Created create(FactoryHandle handle, ServiceBindings services);

        /** Checkpoints and closes {@code agent}, created from {@code handle}. */
        void retire(FactoryHandle handle, Agent agent, String why);

        /** The slot has no usable plugin and waits; {@code why} says what for. */
        void waiting(RunEvent.RunPaused why);
    }

    /** A new agent, and whether it loaded the run's checkpoint (false: it started fresh). */
    public record Created(Agent agent, boolean loadedCheckpoint) {}

    private final LongSupplier step;
    private final SwapRequests swaps;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Long, FactoryHandle> available = new HashMap<>();
    private final Map<Long, String> broken = new HashMap<>();
    private final Set<Long> releaseRequested = new HashSet<>();
    private FactoryHandle current;
    private Agent agent;
    private boolean stopping;
    private final AgentServices services;
    private ServiceWatch serviceWatch;

    /**
     * A slot for {@code agentName}, at exactly {@code version} when that is not null, else at the
     * highest deployed version. {@code step} reads the run's step counter; {@code events} hears
     * the slot's typed events.
     */
    public AgentSlot(String agentName, String version, LongSupplier step, Consumer<RunEvent> events) {
        this.step = step;
        this.swaps = new SwapRequests(agentName, version, step, events, () -> current == null ? null : current.label());
        this.services = new AgentServices(step, events);
    }

    /**
     * Asks for another agent, {@code name}, or exactly {@code name@version} when {@code version}
     * is not null (pinned: a higher version deployed later does not take over). The switch happens
     * at the next step boundary, handing the checkpoint over as in any swap. The outcome completes
     * then, or at once when there is nothing to do ({@link SwapRejected.Reason#ALREADY_RUNNING})
     * or the version is not deployed; an earlier request still pending is superseded.
     */
    public CompletableFuture<SwapOutcome> retarget(String name, String version) {
        String requested = SwapRequests.selector(name, version);
        lock.lock();
        try {
            if (swaps.ended()) {
                return swaps.refuse(requested, SwapRejected.Reason.RUN_ENDED, "");
            }
            List<FactoryHandle> offered = available.values().stream().filter(h -> h.agentName().equals(name)).toList();
            if (offered.stream().noneMatch(h -> version == null || h.version().equals(version))) {
                String versions = offered.stream().map(FactoryHandle::version).sorted().toList().toString();
                return swaps.refuse(requested, SwapRejected.Reason.NOT_DEPLOYED, "deployed versions of " + name + ": " + versions);
            }
            CompletableFuture<SwapOutcome> outcome = swaps.ask(name, version);
            broken.clear(); // a failed version may be asked for again, once fixed or to retry
            services.stopWaiting(); // the agent asked for may not need the service waited for
            Optional<FactoryHandle> best = best();
            if (current != null && best.isPresent() && best.get().serviceId() == current.serviceId()) {
                swaps.refusePending(SwapRejected.Reason.ALREADY_RUNNING, "", false);
                return outcome;
            }
            changed.signalAll();
            return outcome;
        } finally {
            lock.unlock();
        }
    }

    /** {@code name} or {@code name@version}: what this slot wants. */
    public String target() {
        return swaps.target();
    }

    @Override
    public void factoryAdded(FactoryHandle handle) {
        // Every agent is kept, not only this slot's: a swap may ask for another one.
        lock.lock();
        try {
            available.put(handle.serviceId(), handle);
            if (handle.agentName().equals(swaps.name())) {
                services.stopWaiting(); // another version may not need the service waited for
            }
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
     * Looks agents' services up in {@code context} from now on and watches them come and go,
     * until {@link #unwatchServices}. Without it agents find no service.
     */
    public void watchServices(BundleContext context) {
        lock.lock();
        try {
            services.lookIn(context);
            serviceWatch = ServiceWatch.open(context, this);
        } finally {
            lock.unlock();
        }
    }

    /** Stops watching services (the run ends). */
    public void unwatchServices() {
        ServiceWatch w;
        lock.lock();
        try {
            w = serviceWatch;
            serviceWatch = null;
        } finally {
            lock.unlock();
        }
        if (w != null) {
            w.close();
        }
    }

    /**
     * A service offered to agents is being unregistered: if the agent in use is bound to it, blocks
     * until the loop has checkpointed and closed that agent, so that nothing of the service is used
     * after it is gone.
     */
    void serviceUnregistering(ServiceReference<?> ref) {
        lock.lock();
        try {
            Optional<ServiceBindings> holder = services.departing(ref, current == null ? "" : current.label());
            if (holder.isEmpty()) {
                return;
            }
            changed.signalAll();
            long nanos = RELEASE_TIMEOUT.toNanos();
            while (services.holds(holder.get()) && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
            if (services.holds(holder.get())) {
                LOG.error("run did not release service {} within {} s; it goes anyway", ref, RELEASE_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            services.departed(ref);
            lock.unlock();
        }
    }

    /** A service offered to agents was registered (or its properties changed). */
    void serviceRegistered(ServiceReference<?> ref) {
        lock.lock();
        try {
            if (services.registered(ref)) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@code e}, thrown by the agent in use, says that it needs a service that is not
     * deployed. If so, the agent is checkpointed and closed at the next boundary and the run waits
     * for the service; the caller must not count it as a failure.
     */
    public boolean needsService(Throwable e) {
        lock.lock();
        try {
            return services.needs(e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The agent to use for the next step, swapping or creating one first if needed. Blocks while
     * no usable plugin is deployed. Returns empty once {@link #stop} was called.
     *
     * @throws ServiceFailedException when the agent waits for a service that its plugin could not offer
     */
    public Optional<Agent> acquire(Lifecycle lifecycle) throws InterruptedException {
        lock.lock();
        try {
            if (current != null) {
                Optional<FactoryHandle> best = best();
                if (releaseRequested.contains(current.serviceId())) {
                    retireCurrent(lifecycle, current.label() + " is being removed", AgentSwapped.Cause.PLUGIN_REPLACED);
                } else if (services.remakeReason().isPresent()) {
                    retireCurrent(lifecycle, services.remakeReason().get(), AgentSwapped.Cause.SERVICE_REBOUND);
                } else if (best.isPresent() && best.get().serviceId() != current.serviceId()) {
                    Optional<String> requested = swaps.pending();
                    if (requested.isPresent()) {
                        retireCurrent(lifecycle, "swap to " + requested.get() + " requested", AgentSwapped.Cause.REQUESTED);
                    } else {
                        retireCurrent(lifecycle, "newer " + best.get().label() + " deployed", AgentSwapped.Cause.NEWER_VERSION_DEPLOYED);
                    }
                } else if (swaps.pending().isPresent()) {
                    // Between the request and this boundary the target went away, or came to mean the agent in use.
                    if (best.isPresent()) {
                        swaps.refusePending(SwapRejected.Reason.ALREADY_RUNNING, "", false);
                    } else {
                        swaps.refusePending(SwapRejected.Reason.NOT_DEPLOYED, "no longer deployed", true);
                    }
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
                Optional<Key> awaited = services.awaited();
                if (awaited.isPresent()) {
                    Optional<RunEvent.ServiceFailed> failed = services.failure(target());
                    if (failed.isPresent()) {
                        throw new ServiceFailedException(failed.get());
                    }
                    if (System.nanoTime() - emptySince >= PAUSE_GRACE.toNanos()) {
                        lifecycle.waiting(services.pause(target(), awaited.get()));
                    }
                    changed.await(200, TimeUnit.MILLISECONDS);
                    continue;
                }
                FactoryHandle h = best.get();
                ServiceBindings bindings = services.forAgent(h.label());
                Created created;
                try {
                    created = lifecycle.create(h, bindings);
                } catch (RuntimeException e) {
                    bindings.release();
                    Optional<Key> missing = AgentServices.unavailable(e);
                    if (missing.isPresent() && swaps.pending().isEmpty()) {
                        LOG.info("agent {} waits for {}", h.label(), missing.get());
                        services.waitFor(missing.get());
                        if (services.awaited().isEmpty()) {
                            // it is there, yet the agent did not get it: retry, but not in a busy loop
                            changed.await(200, TimeUnit.MILLISECONDS);
                        }
                        continue;
                    }
                    String message = describe(e);
                    if (missing.isEmpty()) {
                        broken.put(h.serviceId(), message);
                    }
                    LOG.warn("agent {} could not be created: {}", h.label(), message);
                    // A requested agent that cannot run here: back to the one asked for before.
                    swaps.refusePending(SwapRejected.Reason.AGENT_NOT_CREATED, h.label() + ": " + message, true);
                    continue;
                }
                agent = created.agent();
                current = h;
                services.adopt(bindings);
                swaps.succeeded(h.label(), created.loadedCheckpoint());
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
            swaps.retired(current.label(), AgentSwapped.Cause.AGENT_FAILED);
            current = null;
            agent = null;
            services.release();
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
                retireCurrent(lifecycle, why, null);
            }
            endRequests();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A swap still pending when the run ends did not happen: it is told so, as are later requests. */
    public void endRequests() {
        lock.lock();
        try {
            swaps.end();
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

    private void retireCurrent(Lifecycle lifecycle, String why, AgentSwapped.Cause cause) {
        FactoryHandle h = current;
        Agent a = agent;
        swaps.retired(h.label(), cause);
        current = null;
        agent = null;
        try {
            lifecycle.retire(h, a, why);
        } finally {
            services.release();
            changed.signalAll();
        }
    }

    private Optional<FactoryHandle> best() {
        String version = swaps.version();
        // PluginHost.best keeps only this slot's agent name.
        return PluginHost.best(swaps.name(), available.values().stream()
                .filter(h -> !broken.containsKey(h.serviceId()))
                .filter(h -> version == null || h.version().equals(version))
                .toList());
    }

    private RunEvent.RunPaused waitingReason() {
        if (!broken.isEmpty()) {
            String why = broken.values().iterator().next();
            return new RunEvent.RunPaused(RunEvent.RunPaused.Reason.AGENT_FAILED, swaps.name(), step.getAsLong(),
                    "agent plugin '" + swaps.name() + "' failed: " + why + "; deploy a fixed version to resume");
        }
        return new RunEvent.RunPaused(RunEvent.RunPaused.Reason.NO_PLUGIN, target(), step.getAsLong(),
                "no plugin offers agent '" + target() + "'; deploy one to resume");
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
