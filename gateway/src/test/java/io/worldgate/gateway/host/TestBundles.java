package io.worldgate.gateway.host;

import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds real OSGi bundles with bnd from this module's test classes, the same way
 * bnd-maven-plugin builds the plugins: Declarative Services annotations processed, imports
 * computed from the classes, and imported packages resolved against the host's exports.
 */
public final class TestBundles {
    private TestBundles() {}

    /** Builds a bundle of the test-class package {@code pkg} into {@code out}. */
    public static Path build(Path out, String symbolicName, String version, String pkg) throws Exception {
        return build(out, symbolicName, version, pkg, Map.of());
    }

    /** As {@link #build(Path, String, String, String)}, with extra bnd instructions (e.g. an Import-Package). */
    public static Path build(Path out, String symbolicName, String version, String pkg, Map<String, String> instructions)
            throws Exception {
        try (Builder b = new Builder()) {
            b.setProperty("Bundle-SymbolicName", symbolicName);
            b.setProperty("Bundle-Version", version);
            b.setProperty("Private-Package", pkg);
            b.setProperty("-dsannotations", "*");
            b.setProperty("-noimportjava", "true");
            instructions.forEach(b::setProperty);
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (new File(entry).exists()) {
                    b.addClasspath(new File(entry));
                }
            }
            Jar jar = b.build();
            if (!b.isOk()) {
                throw new IllegalStateException("bnd failed: " + b.getErrors());
            }
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp");
            jar.write(tmp.toFile());
            // A rename is atomic, so FileInstall never sees a half-written jar.
            stampNow(tmp);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return out;
        }
    }

    /** The test plugin of package {@code io.worldgate.gateway.testplugins.<name>}, with the shared test agent. */
    public static Path testPlugin(Path out, String name, String version) throws Exception {
        String base = "io.worldgate.gateway.testplugins.";
        return build(out, "test." + name, version, base + name + "," + base + "common");
    }

    /**
     * A copy of the bundle {@code source} that says it is {@code version}: what a rebuilt jar
     * of a newer release looks like to the host. Written atomically to {@code out}.
     */
    public static Path withVersion(Path source, Path out, String version) throws Exception {
        try (Jar jar = new Jar(source.toFile())) {
            java.util.jar.Manifest m = jar.getManifest();
            m.getMainAttributes().putValue("Bundle-Version", version);
            jar.setManifest(m);
            Files.createDirectories(out.getParent());
            Path tmp = out.resolveSibling("." + out.getFileName() + ".tmp");
            jar.write(tmp.toFile());
            stampNow(tmp);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return out;
        }
    }

    /**
     * Gives a written jar the current time as its modification time, as a copy or a build would.
     * bnd stamps a jar with its newest entry's time; a re-versioned jar of the same classes then
     * has the same name, length and time as the one it replaces, and FileInstall, which compares
     * exactly those, would never see the update.
     */
    private static void stampNow(Path file) throws java.io.IOException {
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
    }

    /** The random plugin jar built by Maven in plugins/random. */
    public static Path randomPlugin() {
        Path p = Path.of(System.getProperty("worldgate.test.randomPlugin", "../plugins/random/target/random-0.1.0-SNAPSHOT.jar"));
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("random plugin jar " + p + " is missing; build with mvn package");
        }
        return p;
    }

    /** The dreamer plugin jar built by Maven in plugins/dreamer. */
    public static Path dreamerPlugin() {
        Path p = Path.of(System.getProperty("worldgate.test.dreamerPlugin", "../plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar"));
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("dreamer plugin jar " + p + " is missing; build with mvn package");
        }
        return p;
    }

    /** The framestats learner plugin jar built by Maven in plugins/framestats. */
    public static Path framestatsPlugin() {
        Path p = Path.of(System.getProperty("worldgate.test.framestatsPlugin",
                "../plugins/framestats/target/framestats-0.1.0-SNAPSHOT.jar"));
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("framestats plugin jar " + p + " is missing; build with mvn package");
        }
        return p;
    }

    /** The MAE plugin jar (learner and image encoder service) built by Maven in plugins/mae. */
    public static Path maePlugin() {
        Path p = Path.of(System.getProperty("worldgate.test.maePlugin", "../plugins/mae/target/mae-0.1.0-SNAPSHOT.jar"));
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("mae plugin jar " + p + " is missing; build with mvn package");
        }
        return p;
    }

    /** The TD-MPC2 agent plugin jar built by Maven in plugins/tdmpc2. */
    public static Path tdmpc2Plugin() {
        Path p = Path.of(System.getProperty("worldgate.test.tdmpc2Plugin", "../plugins/tdmpc2/target/tdmpc2-0.1.0-SNAPSHOT.jar"));
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("tdmpc2 plugin jar " + p + " is missing; build with mvn package");
        }
        return p;
    }

    /** The World Models agent plugin jar built by Maven in plugins/worldmodels. */
    public static Path worldmodelsPlugin() {
        Path p = Path.of(System.getProperty("worldgate.test.worldmodelsPlugin",
                "../plugins/worldmodels/target/worldmodels-0.1.0-SNAPSHOT.jar"));
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("worldmodels plugin jar " + p + " is missing; build with mvn package");
        }
        return p;
    }
}
