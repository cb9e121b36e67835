package io.worldgate.gateway.run.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * The other plugins' services that one agent obtained through its context, for as long as that
 * agent lives: looked up by interface and {@code worldgate.service.name}, the best match by the
 * OSGi order (highest {@code service.ranking}, then lowest {@code service.id}), each got once and
 * ungot when the agent is released. The lookups that found nothing are kept too, so that the
 * owner can tell when a service registered later would serve this agent better.
 */
public final class ServiceBindings {

    /** Service property naming a service offered to agents. */
    public static final String SERVICE_NAME_PROPERTY = "worldgate.service.name";

    /** What an agent asked for: an interface's class name and a service name. */
    public record Key(String type, String name) {
        @Override
        public String toString() {
            return type + " '" + name + "'";
        }
    }

    /**
     * A service handed to an agent, and who provides it.
     *
     * @param provider the providing bundle's symbolic name
     * @param providerVersion its version
     */
    public record Binding(Key key, long serviceId, int ranking, String provider, String providerVersion) {}

    private final BundleContext context;
    private final LongPredicate departing;
    private final Consumer<Binding> onBound;
    private final Map<Key, Bound> bound = new LinkedHashMap<>();
    private final Set<Key> unmet = new HashSet<>();
    private boolean released;

    private record Bound(Binding binding, ServiceReference<?> reference, Object service) {}

    /**
     * Bindings looked up in {@code context} (null: there are no services), skipping services for
     * which {@code departing} holds (they are being unregistered); {@code onBound} hears of each
     * new binding.
     */
    public ServiceBindings(BundleContext context, LongPredicate departing, Consumer<Binding> onBound) {
        this.context = context;
        this.departing = departing;
        this.onBound = onBound;
    }

    /** Bindings in {@code context} with no service departing and no one to tell. */
    public static ServiceBindings of(BundleContext context) {
        return new ServiceBindings(context, id -> false, b -> {});
    }

    /** The best service of {@code type} named {@code name}, bound to this agent until {@link #release}. */
    public <S> Optional<S> get(Class<S> type, String name) {
        Key key = new Key(type.getName(), name);
        Binding told;
        S service;
        synchronized (this) {
            if (released || context == null) {
                return Optional.empty();
            }
            Bound b = bound.get(key);
            if (b != null) {
                return Optional.of(type.cast(b.service()));
            }
            Collection<ServiceReference<S>> refs;
            try {
                refs = context.getServiceReferences(type, "(" + SERVICE_NAME_PROPERTY + "=" + escape(name) + ")");
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException("bad service name '" + name + "'", e);
            }
            List<ServiceReference<S>> ordered = new ArrayList<>(refs);
            ordered.removeIf(r -> departing.test(serviceId(r)));
            ordered.sort(Comparator.reverseOrder()); // best first: the OSGi order puts it last
            told = null;
            service = null;
            for (ServiceReference<S> ref : ordered) {
                service = context.getService(ref);
                Bundle provider = ref.getBundle();
                if (service == null || provider == null) {
                    continue; // unregistered meanwhile
                }
                told = new Binding(key, serviceId(ref), ranking(ref), provider.getSymbolicName(), provider.getVersion().toString());
                bound.put(key, new Bound(told, ref, service));
                unmet.remove(key);
                break;
            }
            if (told == null) {
                unmet.add(key);
                return Optional.empty();
            }
        }
        onBound.accept(told);
        return Optional.of(service);
    }

    /** The binding to service {@code serviceId}, if this agent holds it. */
    public synchronized Optional<Binding> binding(long serviceId) {
        return bound.values().stream().map(Bound::binding).filter(b -> b.serviceId() == serviceId).findFirst();
    }

    /** Every binding held now. */
    public synchronized List<Binding> bindings() {
        return bound.values().stream().map(Bound::binding).toList();
    }

    /**
     * What a newly registered service {@code ref} would serve better than what this agent has: a
     * lookup that found nothing, or a binding it outranks. Empty when it changes nothing.
     */
    public synchronized Optional<Key> improvedBy(ServiceReference<?> ref) {
        if (released) {
            return Optional.empty();
        }
        Object name = ref.getProperty(SERVICE_NAME_PROPERTY);
        Object classes = ref.getProperty(Constants.OBJECTCLASS);
        if (!(name instanceof String n) || !(classes instanceof String[] types)) {
            return Optional.empty();
        }
        for (String type : types) {
            Key key = new Key(type, n);
            if (unmet.contains(key)) {
                return Optional.of(key);
            }
            Bound b = bound.get(key);
            if (b != null && ref.compareTo(b.reference()) > 0) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    /** Ungets every service handed out; later lookups find nothing. */
    public void release() {
        List<ServiceReference<?>> refs;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            refs = bound.values().stream().<ServiceReference<?>>map(Bound::reference).toList();
            bound.clear();
            unmet.clear();
        }
        for (ServiceReference<?> ref : refs) {
            try {
                context.ungetService(ref);
            } catch (IllegalStateException | IllegalArgumentException e) {
                // the framework is stopping: nothing is held any more
            }
        }
    }

    /** The service id of {@code ref}. */
    public static long serviceId(ServiceReference<?> ref) {
        return (Long) ref.getProperty(Constants.SERVICE_ID);
    }

    private static int ranking(ServiceReference<?> ref) {
        return ref.getProperty(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    /** {@code value} with the characters that are special in an LDAP filter escaped. */
    private static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
