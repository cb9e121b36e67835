package io.worldgate.gateway.run.internal;

import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.RunEvent.AgentSwapped;
import io.worldgate.gateway.run.RunEvent.SwapOutcome;
import io.worldgate.gateway.run.RunEvent.SwapRejected;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What an {@link AgentSlot} is asked to run, and what it tells of each change of agent: the target
 * ({@code name}, or {@code name@version} pinned), the swap asked for and not yet done (with the
 * target to go back to if its agent cannot be made), and the agent last retired, whom the next one
 * succeeds. Every request ends in one {@link SwapOutcome}, told to the run's events and completing
 * the requester's future. Guarded by the slot's lock; the target may also be read without it.
 */
final class SwapRequests {
    /** A swap asked for and not yet done, and the target to go back to if its agent cannot be made. */
    private record Pending(String requested, String previousName, String previousVersion,
            CompletableFuture<SwapOutcome> outcome) {}

    private final LongSupplier step;
    private final Consumer<RunEvent> events;
    private final Supplier<String> inUse;
    private volatile String name;
    private volatile String version;
    private Pending pending;
    private boolean ended;
    // The agent last retired to make way for another, and why: the next one created succeeds it.
    private String retiredLabel;
    private AgentSwapped.Cause retiredCause;

    /**
     * Requests of a slot that first runs {@code name} ({@code version} pinned, or null for the
     * highest deployed); {@code inUse} is the label of the slot's agent in use, or null.
     */
    SwapRequests(String name, String version, LongSupplier step, Consumer<RunEvent> events, Supplier<String> inUse) {
        this.name = name;
        this.version = version;
        this.step = step;
        this.events = events;
        this.inUse = inUse;
    }

    /** {@code name} or {@code name@version}, as a request names its agent. */
    static String selector(String name, String version) {
        return version == null ? name : name + "@" + version;
    }

    /** The agent name wanted. */
    String name() {
        return name;
    }

    /** The version wanted, or null for the highest deployed. */
    String version() {
        return version;
    }

    /** {@code name} or {@code name@version}: what the slot wants. */
    String target() {
        return selector(name, version);
    }

    /** Whether the run has ended, after which every request is refused at once. */
    boolean ended() {
        return ended;
    }

    /** What the swap asked for and not yet done names, if there is one. */
    Optional<String> pending() {
        return pending == null ? Optional.empty() : Optional.of(pending.requested());
    }

    /** A request refused before it changed anything: told, and returned completed. */
    CompletableFuture<SwapOutcome> refuse(String requested, SwapRejected.Reason reason, String detail) {
        SwapOutcome outcome = reject(requested, reason, detail);
        events.accept(outcome);
        return CompletableFuture.completedFuture(outcome);
    }

    /**
     * Makes {@code name} ({@code version} pinned, or null) the target. The request stays pending
     * until an agent is made for it ({@link #succeeded}) or it is refused ({@link #refusePending}).
     * A request still pending is superseded; the target to go back to stays the one before it.
     */
    CompletableFuture<SwapOutcome> ask(String name, String version) {
        String requested = selector(name, version);
        String previousName = this.name;
        String previousVersion = this.version;
        if (pending != null) {
            previousName = pending.previousName();
            previousVersion = pending.previousVersion();
            refusePending(SwapRejected.Reason.SUPERSEDED, "replaced by a swap to " + requested, false);
        }
        this.name = name;
        this.version = version;
        pending = new Pending(requested, previousName, previousVersion, new CompletableFuture<>());
        return pending.outcome();
    }

    /** The pending request, if any, ends refused; with {@code goBack} the target is again the one before it. */
    void refusePending(SwapRejected.Reason reason, String detail, boolean goBack) {
        Pending p = pending;
        if (p == null) {
            return;
        }
        pending = null;
        if (goBack) {
            name = p.previousName();
            version = p.previousVersion();
        }
        settle(reject(p.requested(), reason, detail), p);
    }

    /** Agent {@code label} was retired for {@code cause}; the next agent made succeeds it. */
    void retired(String label, AgentSwapped.Cause cause) {
        retiredLabel = label;
        retiredCause = cause;
    }

    /** Agent {@code label} was made: tells who took over from whom, and completes the request that asked for it. */
    void succeeded(String label, boolean loadedCheckpoint) {
        String from = retiredLabel;
        AgentSwapped.Cause cause = pending != null ? AgentSwapped.Cause.REQUESTED : retiredCause;
        retiredLabel = null;
        retiredCause = null;
        Pending p = pending;
        pending = null;
        if (p == null && (from == null || from.equals(label))) {
            return; // the first agent, or the same one back: no swap
        }
        settle(new AgentSwapped(from == null ? "" : from, label, step.getAsLong(), cause, loadedCheckpoint), p);
    }

    /** The run ends: a request still pending did not happen, and later ones are refused at once. */
    void end() {
        ended = true;
        refusePending(SwapRejected.Reason.RUN_ENDED, "", false);
    }

    private SwapRejected reject(String requested, SwapRejected.Reason reason, String detail) {
        // between a retirement and the next agent, the run goes on with (back to) the retired one
        String current = inUse.get();
        String goesOnWith = current != null ? current : retiredLabel != null ? retiredLabel : "";
        return new SwapRejected(requested, reason, goesOnWith, step.getAsLong(), detail);
    }

    private void settle(SwapOutcome outcome, Pending request) {
        events.accept(outcome);
        if (request != null) {
            request.outcome().complete(outcome);
        }
    }
}
