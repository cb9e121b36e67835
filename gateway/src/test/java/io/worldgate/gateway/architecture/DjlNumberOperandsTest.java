package io.worldgate.gateway.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.Activation;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Neither the runtime nor any plugin of this repository uses a DJL overload whose backward pass
 * can read freed memory after a garbage collection (see {@link io.worldgate.runtime.tensor.Scalars}).
 * Plugins are read from their compiled classes, {@code plugins/NAME/target/classes}, which the build
 * makes before the gateway's tests run. In-place variants ({@code muli}, ...) are left alone: they
 * are only used on arrays outside the autograd graph (gradients, optimizer moments, parameters
 * under {@code NoGradient}), where the number is read at once.
 */
class DjlNumberOperandsTest {
    private static final List<String> ARITHMETIC = List.of("mul", "div", "pow", "maximum", "minimum", "rdiv", "rpow");
    /** These call {@code mul} or {@code minimum} with a number inside DJL. */
    private static final List<String> ACTIVATIONS = List.of("swish", "relu6", "swishBlock", "relu6Block");

    private static final DescribedPredicate<JavaMethodCall> UNSAFE = DescribedPredicate.describe(
            "an NDArray/NDArrays " + ARITHMETIC + " with a Number, or Activation " + ACTIVATIONS,
            call -> {
                String owner = call.getTarget().getOwner().getName();
                String name = call.getTarget().getName();
                if (owner.equals(NDArray.class.getName()) || owner.equals(NDArrays.class.getName())) {
                    return ARITHMETIC.contains(name) && call.getTarget().getRawParameterTypes().stream()
                            .anyMatch(t -> t.getName().equals(Number.class.getName()));
                }
                return owner.equals(Activation.class.getName()) && ACTIVATIONS.contains(name);
            });

    @Test
    void differentiableArithmeticInRuntimeAndPluginsTakesItsNumbersFromScalars() throws IOException {
        ClassFileImporter importer = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS);
        List<Path> plugins = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of("../plugins"))) {
            dirs.map(d -> d.resolve("target/classes")).filter(Files::isDirectory).forEach(plugins::add);
        }
        JavaClasses runtime = importer.importPackages("io.worldgate.runtime");
        JavaClasses pluginClasses = importer.importPaths(plugins);
        assertThat(runtime.containPackage("io.worldgate.runtime.tensor")).isTrue();
        assertThat(pluginClasses.contain("io.worldgate.plugin.dreamer.ActorCritic")).as("plugin classes in " + plugins).isTrue();

        var rule = noClasses().should().callMethodWhere(UNSAFE)
                .because("DJL frees the number's tensor while autograd may still need it; use Scalars");
        rule.check(runtime);
        rule.check(pluginClasses);
    }
}
