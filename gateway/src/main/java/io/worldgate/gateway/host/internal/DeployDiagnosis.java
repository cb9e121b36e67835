package io.worldgate.gateway.host.internal;

import io.worldgate.gateway.host.FactoryHandle;
import io.worldgate.gateway.host.PluginInfo;
import java.io.IOException;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;

/**
 * Explains, for every plugin file, what state it is in and why it does not work when it does
 * not: not a jar, not a bundle, an unresolved import, a component that failed to activate.
 */
public final class DeployDiagnosis {
    private static final int FAILED_ACTIVATION = 16; // ComponentConfigurationDTO.FAILED_ACTIVATION
    private static final int UNSATISFIED_REFERENCE = 2;

    private DeployDiagnosis() {}

    public static List<PluginInfo> describe(BundleContext ctx, Path deployDir, Collection<FactoryHandle> handles) {
        Map<Path, Bundle> byFile = new HashMap<>();
        List<Bundle> others = new ArrayList<>();
        for (Bundle b : ctx.getBundles()) {
            Path p = locationPath(b.getLocation());
            if (p != null && deployDir.equals(p.getParent())) {
                byFile.put(p, b);
            } else if (b.getBundleId() != 0 && !b.getLocation().startsWith("worldgate:")) {
                others.add(b);
            }
        }
        List<PluginInfo> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(deployDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList()) {
                Bundle b = byFile.get(f.toAbsolutePath().normalize());
                out.add(b == null ? describeFile(f, ctx) : describeBundle(f.getFileName().toString(), b, ctx, handles));
            }
        } catch (IOException e) {
            out.add(new PluginInfo(deployDir.toString(), null, null, "FAILED", List.of(), "cannot list deploy directory: " + e));
        }
        for (Bundle b : others) {
            out.add(describeBundle(b.getLocation(), b, ctx, handles));
        }
        return out;
    }

    private static Path locationPath(String location) {
        try {
            String l = location.startsWith("reference:") ? location.substring("reference:".length()) : location;
            return l.startsWith("file:") ? Path.of(URI.create(l)).toAbsolutePath().normalize() : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A jar in the deploy directory that FileInstall did not install. */
    private static PluginInfo describeFile(Path file, BundleContext ctx) {
        String name = file.getFileName().toString();
        Manifest manifest;
        try (JarFile jar = new JarFile(file.toFile())) {
            manifest = jar.getManifest();
        } catch (IOException e) {
            return new PluginInfo(name, null, null, "FAILED", List.of(), "not a readable jar file: " + e.getMessage());
        }
        if (manifest == null) {
            return new PluginInfo(name, null, null, "FAILED", List.of(), "not an OSGi bundle: the jar has no manifest");
        }
        String bsn = manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        if (bsn == null) {
            return new PluginInfo(name, null, null, "FAILED", List.of(), "not an OSGi bundle: no Bundle-SymbolicName in its manifest");
        }
        String symbolic = bsn.split(";")[0].trim();
        String version = manifest.getMainAttributes().getValue("Bundle-Version");
        for (Bundle b : ctx.getBundles()) {
            if (symbolic.equals(b.getSymbolicName()) && String.valueOf(version).equals(b.getVersion().toString())) {
                return new PluginInfo(name, symbolic, version, "FAILED", List.of(),
                        "the same bundle (" + symbolic + " " + version + ") is already installed from " + b.getLocation());
            }
        }
        return new PluginInfo(name, symbolic, version, "PENDING", List.of(), null);
    }

    private static PluginInfo describeBundle(String file, Bundle b, BundleContext ctx, Collection<FactoryHandle> handles) {
        String bsn = b.getSymbolicName();
        String version = b.getVersion().toString();
        List<String> agents = handles.stream().filter(h -> h.bundleId() == b.getBundleId()).map(FactoryHandle::agentName).sorted().toList();
        if (bsn == null) {
            return new PluginInfo(file, null, version, "FAILED", agents, "not an OSGi bundle: no Bundle-SymbolicName in its manifest");
        }
        String state = stateName(b.getState());
        String error = null;
        if (b.getState() == Bundle.INSTALLED) {
            error = unresolvedReason(b);
        } else if (b.getState() == Bundle.ACTIVE && agents.isEmpty()) {
            error = componentFailure(ctx, b);
        }
        return new PluginInfo(file, bsn, version, state, agents, error);
    }

    /** Asks the framework to start the bundle and returns its resolver's complaint. */
    private static String unresolvedReason(Bundle b) {
        try {
            b.start(Bundle.START_TRANSIENT);
            return null;
        } catch (BundleException | IllegalStateException e) {
            return "cannot resolve: " + e.getMessage();
        }
    }

    /**
     * Reads SCR's runtime view (by reflection: the DTO classes are the SCR bundle's own, not the
     * host's) for components of {@code b} that failed to activate.
     */
    static String componentFailure(BundleContext ctx, Bundle b) {
        ServiceReference<?> ref = ctx.getServiceReference("org.osgi.service.component.runtime.ServiceComponentRuntime");
        if (ref == null) {
            return b.getHeaders().get("Service-Component") == null ? "offers no agent factory (no Declarative Services component)" : null;
        }
        Object scr = ctx.getService(ref);
        try {
            Method descriptions = find(scr.getClass(), "getComponentDescriptionDTOs");
            Object bundles = Array.newInstance(Bundle.class, 1);
            Array.set(bundles, 0, b);
            Collection<?> dtos = (Collection<?>) descriptions.invoke(scr, bundles);
            if (dtos.isEmpty()) {
                // SCR reads a started bundle's components asynchronously: a bundle that declares
                // some but has none listed yet is not known to be broken.
                return b.getHeaders().get("Service-Component") == null
                        ? "offers no agent factory (no Declarative Services component)" : null;
            }
            Method configurations = null;
            for (Object description : dtos) {
                if (configurations == null) {
                    configurations = find(scr.getClass(), "getComponentConfigurationDTOs");
                }
                for (Object cfg : (Collection<?>) configurations.invoke(scr, description)) {
                    int state = cfg.getClass().getField("state").getInt(cfg);
                    String component = (String) description.getClass().getField("name").get(description);
                    if (state == FAILED_ACTIVATION) {
                        Object failure = cfg.getClass().getField("failure").get(cfg);
                        return "component " + component + " failed to activate: " + rootCause(String.valueOf(failure));
                    }
                    if (state == UNSATISFIED_REFERENCE) {
                        return "component " + component + " waits for a service it references";
                    }
                }
            }
            return null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        } finally {
            ctx.ungetService(ref);
        }
    }

    private static Method find(Class<?> type, String name) throws NoSuchMethodException {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name)) {
                m.setAccessible(true);
                return m;
            }
        }
        throw new NoSuchMethodException(name);
    }

    /**
     * The first line of a stack trace's text, and its last "Caused by:" when there is one: an
     * ExceptionInInitializerError alone says nothing, its cause says what broke.
     */
    static String rootCause(String trace) {
        String first = firstLine(trace);
        int at = trace.lastIndexOf("Caused by: ");
        if (at < 0) {
            return first;
        }
        String cause = firstLine(trace.substring(at + "Caused by: ".length()));
        return cause.equals(first) ? first : first + " (caused by " + cause + ")";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNINSTALLED";
        };
    }
}
