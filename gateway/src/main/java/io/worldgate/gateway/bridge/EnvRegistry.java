package io.worldgate.gateway.bridge;

import io.worldgate.api.env.VectorEnv;
import io.worldgate.gateway.bridge.internal.python.PythonEnvFactory;
import io.worldgate.gateway.bridge.internal.python.PythonFamilies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the {@link EnvFactory} for an env id such as {@code java:CartPole} and creates the environments.
 *
 * <p>Families come from two places, neither of which lists them in code: families that run in the
 * gateway's JVM are {@link EnvFactory} implementations found with {@link ServiceLoader} (a jar on the
 * gateway's class path with a {@code META-INF/services/io.worldgate.gateway.bridge.EnvFactory} entry
 * adds one), and the Python families are whatever the bridge's Python lists (its built-in ones and
 * those that installed distributions declare as {@code worldgate_envs.families} entry points).
 * A family registered in Java wins over a Python family of the same name.
 */
public final class EnvRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(EnvRegistry.class);
    private final Map<String, EnvFactory> families = new LinkedHashMap<>();
    private BridgeConfig bridge = BridgeConfig.defaults();
    private boolean pythonFamilies;

    /**
     * A registry with the families the gateway finds: those on its class path (the {@code java}
     * family among them) and the Python ones, served with the bridge's defaults.
     */
    public static EnvRegistry withBuiltins() {
        return withBuiltins(BridgeConfig.defaults());
    }

    /** The families the gateway finds, with the Python ones served as {@code bridge} says. */
    public static EnvRegistry withBuiltins(BridgeConfig bridge) {
        return withBuiltins(bridge, EnvRegistry.class.getClassLoader());
    }

    /** The families found on {@code classLoader}'s class path and the Python ones. */
    static EnvRegistry withBuiltins(BridgeConfig bridge, ClassLoader classLoader) {
        EnvRegistry r = new EnvRegistry();
        r.bridge = bridge;
        r.pythonFamilies = true;
        ServiceLoader.load(EnvFactory.class, classLoader).forEach(r::register);
        return r;
    }

    public void register(EnvFactory factory) {
        families.put(factory.family(), factory);
    }

    /**
     * Every family: the registered ones, then the Python ones. Without a Python that can list its
     * families (see {@link #create}), the registered ones only.
     */
    public List<EnvFactory> families() {
        Map<String, EnvFactory> all = new LinkedHashMap<>(families);
        if (pythonFamilies) {
            try {
                python().forEach(f -> all.putIfAbsent(f.family(), f));
            } catch (EnvException e) {
                LOG.warn("only the gateway's own env families are known: {}", e.getMessage());
            }
        }
        return List.copyOf(all.values());
    }

    /**
     * Checks, before a run exists, what the gateway decides about {@code id} and {@code options}
     * without starting a simulator: the family, the {@code bridge.*} options (limits, allowed env
     * workers) and the image sizes.
     *
     * @throws EnvException naming the family or the option ({@link EnvWorkerNotAllowedException} for
     *     an env worker the gateway does not allow)
     */
    public void checkOptions(String id, Map<String, String> options) {
        if (find(id, options).servedByBridge()) {
            bridge.withEnvOptions(options);
            BridgeConfig.checkSimulatorLimits(BridgeConfig.simulatorOptions(options));
        }
    }

    /**
     * Creates {@code numEnvs} environments of {@code id} ({@code family:name}).
     *
     * @throws EnvException if the family is unknown (the message lists the known ones), there is no
     *     Python for a Python family, or creation fails
     */
    public VectorEnv create(String id, int numEnvs, Map<String, String> options) {
        EnvFactory f = find(id, options);
        if (numEnvs < 1) {
            throw new EnvException("the number of environments must be at least 1, got " + numEnvs);
        }
        if (!f.servedByBridge() && BridgeConfig.hasBridgeOptions(options)) {
            LOG.warn("{} runs inside the gateway; the bridge options {} apply to the Python families only and are ignored", id,
                    options.keySet().stream().filter(k -> k.startsWith(BridgeConfig.OPTION_PREFIX)).toList());
            options = BridgeConfig.simulatorOptions(options);
        }
        return f.create(id, numEnvs, options);
    }

    private EnvFactory find(String id, Map<String, String> options) {
        int colon = id.indexOf(':');
        String family = colon < 0 ? null : id.substring(0, colon);
        EnvFactory own = family == null ? null : families.get(family);
        if (own != null) {
            return own;
        }
        List<EnvFactory> known = new ArrayList<>(families.values());
        if (pythonFamilies) {
            List<PythonEnvFactory> python = List.of();
            try {
                python = python();
            } catch (EnvException e) {
                if (family != null && !bridge.withEnvOptions(options).remoteWorkers().isEmpty()) {
                    // env workers started by the user know their env: the gateway needs no Python of its own
                    return PythonEnvFactory.unlisted(family, bridge);
                }
                if (family != null) {
                    throw e;
                }
            }
            for (PythonEnvFactory f : python) {
                if (f.family().equals(family)) {
                    return f;
                }
            }
            known.addAll(python);
        }
        StringBuilder names = new StringBuilder();
        for (EnvFactory k : known) {
            names.append(names.length() == 0 ? "" : ", ").append(k.family());
            if (!k.knownIds().isEmpty()) {
                names.append(" (e.g. ").append(k.knownIds().get(0)).append(')');
            }
        }
        throw new EnvException("unknown environment '" + id + "'; ids are family:name, families: " + names);
    }

    private List<PythonEnvFactory> python() {
        return PythonFamilies.factories(bridge);
    }
}
