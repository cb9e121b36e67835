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
 * the run goes on with the agent it had.
 *
 * <p>Services of other plugins that an agent obtains through its context are bound to that agent
 * ({@link AgentServices}) and follow the same rules: when one is unregistered,
 * {@link #serviceUnregistering} blocks the provider until the loop has checkpointed and closed its
 * consumer, which is then made again from that checkpoint and binds what replaces the service.
 * An agent that throws {@link ServiceUnavailableException} waits, the run paused, until a matching
 * service is registered; a registration that would serve the agent better (one it found missing,
 * or a higher ranking) has it made again at the next step boundary.
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

    /** A swap asked for and not yet done, and the target to go back to if its agent cannot be made. */
    private record PendingSwap(String requested, String previousName, String previousVersion,
            CompletableFuture<SwapOutcome> outcome) {}

    private final LongSupplier step;
    private final Consumer<RunEvent> events;
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
    private PendingSwap pending;
    private boolean ended;
    // The agent last retired to make way for another, and why: the next one created succeeds it.
    private String retiredLabel;
    private AgentSwapped.Cause retiredCause;
    private final AgentServices services;
    private ServiceWatch serviceWatch;

    /**
     * A slot for {@code agentName}, at exactly {@code version} when that is not null, else at the
     * highest deployed version. {@code step} reads the run's step counter; {@code events} hears
     * the slot's typed events.
     */
    public AgentSlot(String agentName, String version, LongSupplier step, Consumer<RunEvent> events) {
        this.agentName = agentName;
        this.pinnedVersion = version;
        this.step = step;
        this.events = events;
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
        String requested = version == null ? name : name + "@" + version;
        lock.lock();
        try {
            if (ended) {
                return told(reject(requested, SwapRejected.Reason.RUN_ENDED, ""));
            }
            List<FactoryHandle> offered = available.values().stream().filter(h -> h.agentName().equals(name)).toList();
            if (offered.stream().noneMatch(h -> version == null || h.version().equals(version))) {
                String versions = offered.stream().map(FactoryHandle::version).sorted().toList().toString();
                return told(reject(requested, SwapRejected.Reason.NOT_DEPLOYED, "deployed versions of " + name + ": " + versions));
            }
            String previousName = agentName;
            String previousVersion = pinnedVersion;
            if (pending != null) {
                previousName = pending.previousName();
                previousVersion = pending.previousVersion();
                settle(reject(pending.requested(), SwapRejected.Reason.SUPERSEDED, "replaced by a swap to " + requested));
            }
            agentName = name;
            pinnedVersion = version;
            broken.clear(); // a failed version may be asked for again, once fixed or to retry
            services.stopWaiting(); // the agent asked for may not need the service waited for
            Optional<FactoryHandle> best = best();
            if (current != null && best.isPresent() && best.get().serviceId() == current.serviceId()) {
                return told(reject(requested, SwapRejected.Reason.ALREADY_RUNNING, ""));
            }
            pending = new PendingSwap(requested, previousName, previousVersion, new CompletableFuture<>());
            changed.signalAll();
            return pending.outcome();
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
        // Every agent is kept, not only this slot's: a swap may ask for another one.
        lock.lock();
        try {
            available.put(handle.serviceId(), handle);
            if (handle.agentName().equals(agentName)) {
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
                    if (pending != null) {
                        retireCurrent(lifecycle, "swap to " + pending.requested() + " requested", AgentSwapped.Cause.REQUESTED);
                    } else {
                        retireCurrent(lifecycle, "newer " + best.get().label() + " deployed", AgentSwapped.Cause.NEWER_VERSION_DEPLOYED);
                    }
                } else if (pending != null) {
                    // Between the request and this boundary the target went away, or came to mean the agent in use.
                    PendingSwap p = pending;
                    pending = null;
                    agentName = best.isPresent() ? agentName : p.previousName();
                    pinnedVersion = best.isPresent() ? pinnedVersion : p.previousVersion();
                    settle(best.isPresent() ? reject(p.requested(), SwapRejected.Reason.ALREADY_RUNNING, "")
                            : reject(p.requested(), SwapRejected.Reason.NOT_DEPLOYED, "no longer deployed"), p);
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
                    if (missing.isPresent() && pending == null) {
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
                    if (pending != null) {
                        // The requested agent cannot run here: back to the one asked for before.
                        PendingSwap p = pending;
                        pending = null;
                        agentName = p.previousName();
                        pinnedVersion = p.previousVersion();
                        settle(reject(p.requested(), SwapRejected.Reason.AGENT_NOT_CREATED, h.label() + ": " + message), p);
                    }
                    continue;
                }
                agent = created.agent();
                current = h;
                services.adopt(bindings);
                succeeded(h, created.loadedCheckpoint());
            }
            return stopping ? Optional.empty() : Optional.of(agent);
        } finally {
            lock.unlock();
        }
    }

    /** Tells who took over from whom, and completes the request that asked for it. */
    private void succeeded(FactoryHandle h, boolean loadedCheckpoint) {
        String from = retiredLabel;
        AgentSwapped.Cause cause = pending != null ? AgentSwapped.Cause.REQUESTED : retiredCause;
        retiredLabel = null;
        retiredCause = null;
        PendingSwap p = pending;
        pending = null;
        if (p == null && (from == null || from.equals(h.label()))) {
            return; // the first agent, or the same one back: no swap
        }
        settle(new AgentSwapped(from == null ? "" : from, h.label(), step.getAsLong(), cause, loadedCheckpoint), p);
    }

    private SwapRejected reject(String requested, SwapRejected.Reason reason, String detail) {
        // between a retirement and the next agent, the run goes on with (back to) the retired one
        String goesOnWith = current != null ? current.label() : retiredLabel != null ? retiredLabel : "";
        return new SwapRejected(requested, reason, goesOnWith, step.getAsLong(), detail);
    }

    /** Tells an outcome decided at once and returns it as a completed request. */
    private CompletableFuture<SwapOutcome> told(SwapOutcome outcome) {
        events.accept(outcome);
        return CompletableFuture.completedFuture(outcome);
    }

    /** Tells the outcome of the pending request and completes it. */
    private void settle(SwapOutcome outcome) {
        PendingSwap p = pending;
        pending = null;
        settle(outcome, p);
    }

    private void settle(SwapOutcome outcome, PendingSwap request) {
        events.accept(outcome);
        if (request != null) {
            request.outcome().complete(outcome);
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
            retiredLabel = current.label();
            retiredCause = AgentSwapped.Cause.AGENT_FAILED;
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
            ended = true;
            if (pending != null) {
                settle(reject(pending.requested(), SwapRejected.Reason.RUN_ENDED, ""));
            }
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
        retiredLabel = h.label();
        retiredCause = cause;
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
        String version = pinnedVersion;
        // PluginHost.best keeps only this slot's agent name.
        return PluginHost.best(agentName, available.values().stream()
                .filter(h -> !broken.containsKey(h.serviceId()))
                .filter(h -> version == null || h.version().equals(version))
                .toList());
    }

    private RunEvent.RunPaused waitingReason() {
        if (!broken.isEmpty()) {
            String why = broken.values().iterator().next();
            return new RunEvent.RunPaused(RunEvent.RunPaused.Reason.AGENT_FAILED, agentName, step.getAsLong(),
                    "agent plugin '" + agentName + "' failed: " + why + "; deploy a fixed version to resume");
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
