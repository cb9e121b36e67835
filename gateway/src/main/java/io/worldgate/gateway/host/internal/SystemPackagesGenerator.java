package io.worldgate.gateway.host.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Build-time tool: lists the packages of the host classpath that bundles may import through the
 * system bundle ({@code org.osgi.framework.system.packages.extra}), each with a version.
 *
 * <p>Why at build time: DJL, gRPC and Py4J ship no OSGi metadata, and must live on the host's
 * flat classpath (libtorch's JNI library can be loaded by one class loader only). A jar's own
 * {@code Export-Package} is used where it has one; otherwise every package holding classes is
 * exported with the jar's Maven version.
 *
 * <p>Usage: {@code SystemPackagesGenerator <output file> <prefix,prefix,...>} with prefixes in
 * slash form ({@code ai/djl}); the classpath to scan is this JVM's.
 */
public final class SystemPackagesGenerator {
    private static final Pattern VERSION_ATTR = Pattern.compile("version\\s*=\\s*\"?([^\";,]+)\"?");

    private SystemPackagesGenerator() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SystemPackagesGenerator <output file> <prefix,prefix,...>");
            System.exit(2);
        }
        List<String> prefixes = List.of(args[1].split(","));
        Map<String, String> packages = new TreeMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (Files.isDirectory(p)) {
                scanDirectory(p, prefixes, packages);
            } else if (Files.isRegularFile(p) && entry.endsWith(".jar")) {
                scanJar(p, prefixes, packages);
            }
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out.getParent());
        StringBuilder text = new StringBuilder("# Generated at build time by SystemPackagesGenerator; do not edit.\n");
        packages.forEach((pkg, version) -> text.append(pkg).append(";version=\"").append(version).append("\"\n"));
        Files.writeString(out, text.toString(), StandardCharsets.UTF_8);
        System.out.println("[worldgate] " + packages.size() + " host packages exported to bundles -> " + out);
    }

    private static void scanJar(Path jarPath, List<String> prefixes, Map<String, String> out) throws IOException {
        try (JarFile jar = new JarFile(jarPath.toFile())) {
            Manifest manifest = jar.getManifest();
            String exports = manifest == null ? null : manifest.getMainAttributes().getValue("Export-Package");
            if (exports != null) {
                addExports(exports, prefixes, out);
                return;
            }
            String version = mavenVersion(jar, manifest, jarPath.getFileName().toString());
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                addClassPackage(entries.nextElement().getName(), version, prefixes, out);
            }
        }
    }

    private static void scanDirectory(Path dir, List<String> prefixes, Map<String, String> out) throws IOException {
        Path manifestFile = dir.resolve("META-INF/MANIFEST.MF");
        if (Files.isRegularFile(manifestFile)) {
            try (InputStream in = Files.newInputStream(manifestFile)) {
                String exports = new Manifest(in).getMainAttributes().getValue("Export-Package");
                if (exports != null) {
                    addExports(exports, prefixes, out);
                    return;
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                addClassPackage(dir.relativize(f).toString().replace(File.separatorChar, '/'), "0.0.0", prefixes, out);
            }
        }
    }

    private static void addClassPackage(String entryName, String version, List<String> prefixes, Map<String, String> out) {
        int slash = entryName.lastIndexOf('/');
        if (!entryName.endsWith(".class") || slash < 0 || entryName.startsWith("META-INF/")) {
            return;
        }
        String dirName = entryName.substring(0, slash);
        if (matches(dirName, prefixes)) {
            out.putIfAbsent(dirName.replace('/', '.'), version);
        }
    }

    /** Adds the packages of an OSGi Export-Package header that match the prefixes. */
    static void addExports(String header, List<String> prefixes, Map<String, String> out) {
        for (String clause : splitOutsideQuotes(header, ',')) {
            List<String> parts = splitOutsideQuotes(clause, ';');
            String version = "0.0.0";
            List<String> names = new ArrayList<>();
            for (String part : parts) {
                String t = part.trim();
                if (t.contains("=")) {
                    Matcher m = VERSION_ATTR.matcher(t);
                    if (t.startsWith("version") && m.lookingAt()) {
                        version = m.group(1).trim();
                    }
                } else if (!t.isEmpty()) {
                    names.add(t);
                }
            }
            for (String name : names) {
                if (matches(name.replace('.', '/'), prefixes)) {
                    out.putIfAbsent(name, version);
                }
            }
        }
    }

    private static boolean matches(String slashName, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (slashName.equals(prefix) || slashName.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }

    private static String mavenVersion(JarFile jar, Manifest manifest, String fileName) throws IOException {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
            JarEntry e = entries.nextElement();
            if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
                Properties p = new Properties();
                try (InputStream in = jar.getInputStream(e)) {
                    p.load(in);
                }
                if (p.getProperty("version") != null) {
                    return osgiVersion(p.getProperty("version"));
                }
            }
        }
        if (manifest != null) {
            for (Attributes.Name name : List.of(Attributes.Name.IMPLEMENTATION_VERSION, Attributes.Name.SPECIFICATION_VERSION)) {
                String v = manifest.getMainAttributes().getValue(name);
                if (v != null) {
                    return osgiVersion(v);
                }
            }
        }
        // Maven's repository layout names a jar artifactId-version[-classifier].jar.
        Matcher m = Pattern.compile("-(\\d+(?:\\.\\d+)*)(?:-[^/]*)?\\.jar$").matcher(fileName);
        return m.find() ? osgiVersion(m.group(1)) : "0.0.0";
    }

    /** Turns a Maven version such as {@code 2.7.1-0.35.0} or {@code 1.76.0} into an OSGi one. */
    static String osgiVersion(String maven) {
        Matcher m = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:[.-]?(.*))?").matcher(maven.trim());
        if (!m.matches()) {
            return "0.0.0";
        }
        String qualifier = m.group(4) == null ? "" : m.group(4).replaceAll("[^A-Za-z0-9_-]", "_");
        String v = m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)) + "." + (m.group(3) == null ? "0" : m.group(3));
        return qualifier.isEmpty() ? v : v + "." + qualifier;
    }
}
