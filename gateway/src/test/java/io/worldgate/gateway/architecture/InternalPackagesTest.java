package io.worldgate.gateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package uses another package's {@code internal}. The rule: a class in package {@code P} may
 * use a class in {@code X.internal} or any package below it only if {@code P} is {@code X} or lies
 * inside {@code X}, where {@code X} is everything before the first {@code .internal} segment. So
 * {@code io.worldgate.gateway.run.TrainingRun} and {@code io.worldgate.gateway.run.internal.metrics.*}
 * may use {@code io.worldgate.gateway.run.internal.*}; {@code io.worldgate.gateway.service.RunManager}
 * and {@code io.worldgate.gateway.bridge.internal.py4j.*} may not. "Use" is any dependency the
 * compiled class has: an import, a fully qualified name, a field, parameter or return type, a call,
 * an annotation, a supertype. Constants are inlined by javac and leave no trace in the class that
 * reads them, so the same rule is also applied to the {@code import} lines of the sources.
 *
 * <p>Checked on the main code of {@code api}, {@code runtime}, {@code testkit} and the gateway (read
 * from the test class path) and of every plugin ({@code plugins/NAME/target/classes}, which the build
 * makes before the gateway's tests run, as for {@link DjlNumberOperandsTest}). Only targets in
 * {@code io.worldgate} count. Test code is left out, since a test sits in the package of the class
 * it tests and may look inside it, and so are the benchmarks ({@code bench/}), which measure
 * internal classes such as the disk experience.
 */
class InternalPackagesTest {
    private static final String ROOT = "io.worldgate";

    /** The package that owns {@code pkg} when it is internal: all before its first {@code internal} segment. */
    static Optional<String> owner(String pkg) {
        String[] parts = pkg.split("\\.");
        StringBuilder owner = new StringBuilder();
        for (String part : parts) {
            if (part.equals("internal")) {
                return Optional.of(owner.toString());
            }
            owner.append(owner.length() == 0 ? "" : ".").append(part);
        }
        return Optional.empty();
    }

    static boolean mayUse(String fromPackage, String targetPackage) {
        return owner(targetPackage)
                .map(x -> fromPackage.equals(x) || fromPackage.startsWith(x + "."))
                .orElse(true);
    }

    static final ArchCondition<JavaClass> USE_ONLY_THEIR_OWN_INTERNALS = new ArchCondition<>(
            "use no other package's internal classes") {
        @Override
        public void check(JavaClass origin, ConditionEvents events) {
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
                JavaClass target = d.getTargetClass().getBaseComponentType();
                String to = target.getPackageName();
                if (to.startsWith(ROOT + ".") && !mayUse(origin.getPackageName(), to)) {
                    events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                }
            }
        }
    };

    /** An import of an {@code io.worldgate} class or member: group 1 is its package. */
    private static final Pattern IMPORT = Pattern.compile(
            "^import\\s+(?:static\\s+)?((?:[a-z_][a-z0-9_]*\\.)*[a-z_][a-z0-9_]*)\\.(?:[A-Z][\\w.]*|\\*)\\s*;", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);

    static final ArchRule RULE = classes().should(USE_ONLY_THEIR_OWN_INTERNALS)
            .because("X.internal is X's own business: other packages use X's public types");

    @Test
    void theRuleTellsOwnersFromOthers() {
        assertThat(mayUse("io.worldgate.gateway.run", "io.worldgate.gateway.run.internal")).isTrue();
        assertThat(mayUse("io.worldgate.gateway.run.internal.metrics", "io.worldgate.gateway.run.internal")).isTrue();
        assertThat(mayUse("io.worldgate.gateway.run", "io.worldgate.gateway.run.internal.experience")).isTrue();
        assertThat(mayUse("io.worldgate.gateway.service", "io.worldgate.gateway.run.internal")).isFalse();
        assertThat(mayUse("io.worldgate.gateway.bridge.internal.py4j", "io.worldgate.gateway.run.internal")).isFalse();
        assertThat(mayUse("io.worldgate.gateway.runner", "io.worldgate.gateway.run.internal")).isFalse();
        assertThat(mayUse("io.worldgate.gateway.service", "io.worldgate.gateway.run")).isTrue();
        // the source check reads single-type, static and wildcard imports
        for (String line : List.of("import io.worldgate.gateway.run.internal.AgentSlot;",
                "import static io.worldgate.gateway.run.internal.EpisodeInfos.CUT_RETURN_TAG;",
                "import io.worldgate.gateway.run.internal.*;")) {
            Matcher m = IMPORT.matcher(line);
            assertThat(m.find()).as(line).isTrue();
            assertThat(m.group(1)).as(line).startsWith("io.worldgate.gateway.run.internal");
        }
    }

    @Test
    void noMainCodeUsesAnotherPackagesInternals() throws IOException {
        ClassFileImporter importer = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        List<Path> plugins = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of("../plugins"))) {
            dirs.map(d -> d.resolve("target/classes")).filter(Files::isDirectory).forEach(plugins::add);
        }
        JavaClasses hosted = importer.importPackages(ROOT);
        JavaClasses pluginClasses = importer.importPaths(plugins);
        assertThat(hosted.containPackage("io.worldgate.api.agent")).isTrue();
        assertThat(hosted.containPackage("io.worldgate.runtime.tensor")).isTrue();
        assertThat(hosted.containPackage("io.worldgate.gateway.run.internal")).isTrue();
        assertThat(hosted.contain("io.worldgate.testkit.FakeAgentContext")).isTrue();
        assertThat(pluginClasses.contain("io.worldgate.plugin.dreamer.ActorCritic")).as("plugin classes in " + plugins).isTrue();

        RULE.check(hosted);
        RULE.check(pluginClasses);
    }

    @Test
    void noMainSourceImportsAnotherPackagesInternals() throws IOException {
        List<Path> roots = new ArrayList<>(List.of(Path.of("src/main/java"), Path.of("../api/src/main/java"),
                Path.of("../runtime/src/main/java"), Path.of("../testkit/src/main/java")));
        try (Stream<Path> dirs = Files.list(Path.of("../plugins"))) {
            dirs.map(d -> d.resolve("src/main/java")).filter(Files::isDirectory).forEach(roots::add);
        }
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (Path root : roots) {
            assertThat(root).isDirectory();
            List<Path> sources;
            try (Stream<Path> walk = Files.walk(root)) {
                sources = walk.filter(p -> p.toString().endsWith(".java")).toList();
            }
            for (Path source : sources) {
                files++;
                String text = Files.readString(source);
                Matcher pkg = PACKAGE.matcher(text);
                String from = pkg.find() ? pkg.group(1) : "";
                Matcher imp = IMPORT.matcher(text);
                while (imp.find()) {
                    if (imp.group(1).startsWith(ROOT + ".") && !mayUse(from, imp.group(1))) {
                        violations.add(source + ": " + imp.group().strip());
                    }
                }
            }
        }
        assertThat(files).isGreaterThan(100);
        assertThat(violations).as("imports of another package's internal classes").isEmpty();
    }
}
