package io.worldgate.gateway.run.internal;

import io.worldgate.api.agent.ServiceFailure;
import io.worldgate.api.agent.ServiceUnavailableException;
import io.worldgate.gateway.run.RunEvent;
import io.worldgate.gateway.run.internal.ServiceBindings.Binding;
import io.worldgate.gateway.run.internal.ServiceBindings.Key;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * What an {@link AgentSlot} knows of the services its agent got from other plugins: the agent's
 * bindings, why the agent must be made again (a bound service going, a better one registered, one
 * it needed and did not find), and the service the next creation waits for. Guarded by the slot's
 * lock, except what an agent's own lookups reach ({@link #bound}), which may come from a thread of
 * the agent's while the loop holds that lock.
 */
final class AgentServices {
    private final LongSupplier step;
    private final Consumer<RunEvent> events;
    private BundleContext context;
    private final Set<Long> departing = ConcurrentHashMap.newKeySet();
    private ServiceBindings held;
    private Binding gone;
    private Key better;
    private Key needed;
    private Key awaited;
    /** What the plugin of {@link #awaited} registered instead of it: waiting for it is pointless. */
    private ServiceReference<?> awaitedFailed;
    private final Set<Key> goneKeys = ConcurrentHashMap.newKeySet();
    private final Map<Key, Long> lastBound = new ConcurrentHashMap<>();

    AgentServices(LongSupplier step, Consumer<RunEvent> events) {
        this.step = step;
        this.events = events;
    }

    /** Agents look services up in {@code context} from now on (null: they find none). */
    void lookIn(BundleContext context) {
        this.context = context;
    }

    /** Bindings for a new agent {@code label}: {@link #adopt} them once it is made, else release them. */
    ServiceBindings forAgent(String label) {
        return new ServiceBindings(context, departing::contains, b -> bound(label, b));
    }

    /** The agent made with {@code bindings} is now the one in use. */
    void adopt(ServiceBindings bindings) {
        held = bindings;
    }

    /**
     * The agent in use is closed: gives back what it got. What asked for it to be made again is
     * done, but a service it needed is waited for before the next one is made.
     */
    void release() {
        if (held != null) {
            held.release();
            held = null;
        }
        Key k = needed;
        gone = null;
        better = null;
        needed = null;
        if (k != null) {
            waitFor(k);
        }
    }

    /**
     * Service {@code ref} is being unregistered. When the agent in use ({@code agent}) holds it,
     * tells so and returns the bindings that the slot must see released before the service goes.
     */
    Optional<ServiceBindings> departing(ServiceReference<?> ref, String agent) {
        long id = ServiceBindings.serviceId(ref);
        if (awaitedFailed != null && ServiceBindings.serviceId(awaitedFailed) == id) {
            awaitedFailed = null; // its plugin stopped or is being updated: the service may come yet
        }
        departing.add(id);
        Optional<Binding> bound = held == null ? Optional.empty() : held.binding(id);
        if (bound.isEmpty()) {
            return Optional.empty();
        }
        Binding b = bound.get();
        gone = b;
        goneKeys.add(b.key());
        events.accept(new RunEvent.ServiceGone(agent, step.getAsLong(), b.key().type(), b.key().name(), b.provider(),
                b.providerVersion()));
        return Optional.of(held);
    }

    /** Service {@code ref} is gone. */
    void departed(ServiceReference<?> ref) {
        departing.remove(ServiceBindings.serviceId(ref));
    }

    /** Whether {@code bindings} are still the agent's in use. */
    boolean holds(ServiceBindings bindings) {
        return held == bindings;
    }

    /** Service {@code ref} was registered (or changed): whether the slot has something new to do. */
    boolean registered(ServiceReference<?> ref) {
        boolean wake = false;
        if (awaited != null && matches(ref, awaited)) {
            awaited = null;
            awaitedFailed = null;
            wake = true;
        }
        if (awaited != null && failureOf(ref, awaited)) {
            awaitedFailed = ref;
            wake = true;
        }
        if (held != null && gone == null) {
            Optional<Key> improved = held.improvedBy(ref);
            if (improved.isPresent()) {
                better = improved.get();
                wake = true;
            }
        }
        return wake;
    }

    /** The agent in use threw {@code e}: whether it says that it needs a service (then it is made again once that comes). */
    boolean needs(Throwable e) {
        Optional<Key> k = unavailable(e);
        k.ifPresent(key -> needed = key);
        return k.isPresent();
    }

    /** Why the agent in use must be made again now, for people; empty when it need not. */
    Optional<String> remakeReason() {
        if (gone != null) {
            return Optional.of(gone.key() + " of " + gone.provider() + "@" + gone.providerVersion() + " is going away");
        }
        if (needed != null) {
            return Optional.of("needs " + needed + ", which is not deployed");
        }
        return better == null ? Optional.empty() : Optional.of("a better " + better + " was registered");
    }

    /** The service that the next agent's creation waits for, if any. */
    Optional<Key> awaited() {
        return Optional.ofNullable(awaited);
    }

    /**
     * When the plugin of the service waited for registered a {@link ServiceFailure} for it, the
     * run's end as agent {@code target} tells it; else empty (the service may still come).
     */
    Optional<RunEvent.ServiceFailed> failure(String target) {
        ServiceReference<?> ref = awaitedFailed;
        if (awaited == null || ref == null) {
            return Optional.empty();
        }
        Bundle provider = ref.getBundle();
        return Optional.of(new RunEvent.ServiceFailed(target, step.getAsLong(), awaited.type(), awaited.name(),
                provider == null ? "" : provider.getSymbolicName(), provider == null ? "" : provider.getVersion().toString(),
                String.valueOf(ref.getProperty(ServiceFailure.REASON_PROPERTY))));
    }

    /** Makes the next agent without waiting: it may be another agent or version, which may not need the service. */
    void stopWaiting() {
        awaited = null;
        awaitedFailed = null;
    }

    /**
     * Has the next creation wait for a registration of {@code k}, unless one is there already (it
     * came between the agent's lookup and now; later ones are heard by {@link #registered}).
     */
    void waitFor(Key k) {
        awaited = k;
        awaitedFailed = null;
        if (context == null) {
            return;
        }
        try {
            ServiceReference<?>[] refs = context.getServiceReferences(k.type(), null);
            if (refs != null && Arrays.stream(refs).anyMatch(r -> matches(r, k) && !departing.contains(ServiceBindings.serviceId(r)))) {
                awaited = null;
                return;
            }
            ServiceReference<?>[] failures = context.getServiceReferences(ServiceFailure.class.getName(), null);
            if (failures != null) {
                Arrays.stream(failures).filter(r -> failureOf(r, k)).findFirst().ifPresent(r -> awaitedFailed = r);
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            // no filter is given; a stopping framework has nothing to offer
        }
    }

    /** The pause of a run whose agent {@code target} waits for {@code k}. */
    RunEvent.RunPaused pause(String target, Key k) {
        boolean wasGone = goneKeys.contains(k);
        String detail = wasGone
                ? "agent '" + target + "' waits for " + k + ", which went away; deploy the plugin that offers it to resume"
                : "agent '" + target + "' needs " + k + ", which no deployed plugin offers; deploy one to resume";
        return new RunEvent.RunPaused(wasGone ? RunEvent.RunPaused.Reason.SERVICE_GONE : RunEvent.RunPaused.Reason.SERVICE_MISSING,
                target, step.getAsLong(), detail, k.type(), k.name());
    }

    /** Tells that agent {@code label} got a service, and whether it replaced another registration of it. */
    private void bound(String label, Binding b) {
        Long before = lastBound.put(b.key(), b.serviceId());
        goneKeys.remove(b.key());
        boolean rebound = before != null && before != b.serviceId();
        events.accept(new RunEvent.ServiceBound(label, step.getAsLong(), b.key().type(), b.key().name(), b.provider(),
                b.providerVersion(), rebound));
    }

    /** Whether {@code ref} is a {@link ServiceFailure} that its plugin registered in place of service {@code k}. */
    private static boolean failureOf(ServiceReference<?> ref, Key k) {
        return k.name().equals(ref.getProperty(ServiceFailure.SERVICE_NAME_PROPERTY))
                && k.type().equals(ref.getProperty(ServiceFailure.SERVICE_TYPE_PROPERTY))
                && ref.getProperty(Constants.OBJECTCLASS) instanceof String[] types
                && List.of(types).contains(ServiceFailure.class.getName());
    }

    private static boolean matches(ServiceReference<?> ref, Key k) {
        return k.name().equals(ref.getProperty(ServiceBindings.SERVICE_NAME_PROPERTY))
                && ref.getProperty(Constants.OBJECTCLASS) instanceof String[] types && List.of(types).contains(k.type());
    }

    /** The service that {@code e} (or one of its causes) says is missing, if it is a {@link ServiceUnavailableException}. */
    static Optional<Key> unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ServiceUnavailableException s) {
                return Optional.of(new Key(s.serviceType(), s.serviceName()));
            }
        }
        return Optional.empty();
    }
}
