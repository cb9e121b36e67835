package io.worldgate.gateway.host;

import io.worldgate.api.learner.LearnerFactory;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.Version;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LearnerFactory} services of the plugin host, tracked as it tracks agent factories:
 * when several bundles offer the same learner name the highest bundle version wins, and whoever
 * uses a factory is told before it goes.
 */
public final class LearnerFactories {
    private static final Logger LOG = LoggerFactory.getLogger(LearnerFactories.class);

    /** Told when a learner factory goes; returns once the listener no longer uses it. */
    public interface Listener {
        void learnerRemoving(LearnerHandle handle);
    }

    private final BundleContext context;
    private final ServiceTracker<LearnerFactory, LearnerHandle> tracker;
    private final Map<Long, LearnerHandle> handles = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    LearnerFactories(BundleContext context) {
        this.context = context;
        this.tracker = new ServiceTracker<>(context, LearnerFactory.class, null) {
            @Override
            public LearnerHandle addingService(ServiceReference<LearnerFactory> ref) {
                return onAdded(ref);
            }

            @Override
            public void removedService(ServiceReference<LearnerFactory> ref, LearnerHandle handle) {
                onRemoved(ref, handle);
            }
        };
    }

    void open() {
        tracker.open();
    }

    void close() {
        tracker.close();
    }

    /** Every learner factory registered now, by name. */
    public List<LearnerHandle> all() {
        return handles.values().stream().sorted(Comparator.comparing(LearnerHandle::name)
                .thenComparing(h -> Version.parseVersion(h.version()))).toList();
    }

    /** The factory for {@code name} from the highest bundle version, if any bundle offers one. */
    public Optional<LearnerHandle> best(String name) {
        return handles.values().stream().filter(h -> h.name().equals(name))
                .max(Comparator.<LearnerHandle, Version>comparing(h -> Version.parseVersion(h.version()))
                        .thenComparingLong(LearnerHandle::serviceId));
    }

    /** As {@link #best}, waiting up to {@code max} for {@code host}'s deploy directory to settle if none is there yet. */
    public Optional<LearnerHandle> await(PluginHost host, String name, Duration max) {
        Optional<LearnerHandle> found = best(name);
        if (found.isEmpty()) {
            host.awaitSettled(max);
            found = best(name);
        }
        return found;
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public void removeListener(Listener l) {
        listeners.remove(l);
    }

    private LearnerHandle onAdded(ServiceReference<LearnerFactory> ref) {
        LearnerFactory factory = context.getService(ref);
        if (factory == null) {
            return null;
        }
        String name;
        try {
            name = factory.descriptor().name();
        } catch (RuntimeException e) {
            LOG.error("plugin {} offers a learner factory whose descriptor fails: {}", ref.getBundle().getSymbolicName(),
                    e.toString());
            context.ungetService(ref);
            return null;
        }
        LearnerHandle h = new LearnerHandle(name, ref.getBundle().getSymbolicName(), ref.getBundle().getVersion().toString(),
                (Long) ref.getProperty(Constants.SERVICE_ID), factory);
        handles.put(h.serviceId(), h);
        LOG.info("learner {} available from {}", h.label(), h.symbolicName());
        return h;
    }

    private void onRemoved(ServiceReference<LearnerFactory> ref, LearnerHandle h) {
        handles.remove(h.serviceId());
        LOG.info("learner {} going away", h.label());
        for (Listener l : listeners) {
            try {
                l.learnerRemoving(h);
            } catch (RuntimeException e) {
                LOG.error("learner listener failed on removal of {}", h.label(), e);
            }
        }
        context.ungetService(ref);
    }
}
