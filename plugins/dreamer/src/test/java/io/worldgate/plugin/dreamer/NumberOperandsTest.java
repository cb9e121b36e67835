package io.worldgate.plugin.dreamer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.Activation;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * No Dreamer class uses a DJL overload whose backward pass can read freed memory after a garbage
 * collection (see the runtime's {@code Scalars}). In-place variants ({@code muli},
 * ...) are left alone: they are only used on arrays outside the autograd graph (gradients,
 * optimizer moments, parameters under {@code NoGradient}), where the number is read at once.
 */
class NumberOperandsTest {
    @Test
    void differentiableArithmeticTakesItsNumbersFromScalars() {
        noClasses().should().callMethodWhere(UNSAFE)
                .because("DJL frees the number's tensor while autograd may still need it; use Scalars")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.worldgate.plugin.dreamer"));
    }

    static final DescribedPredicate<JavaMethodCall> UNSAFE = DescribedPredicate.describe(
            "an NDArray/NDArrays mul, div, pow, maximum, minimum, rdiv or rpow with a Number, or Activation.swish/relu6",
            call -> {
                String owner = call.getTarget().getOwner().getName();
                String name = call.getTarget().getName();
                boolean numberOperand = call.getTarget().getRawParameterTypes().stream()
                        .anyMatch(t -> t.getName().equals(Number.class.getName()));
                if (owner.equals(NDArray.class.getName()) || owner.equals(NDArrays.class.getName())) {
                    return numberOperand && Set.of("mul", "div", "pow", "maximum", "minimum", "rdiv", "rpow").contains(name);
                }
                // these call mul/minimum with a number inside DJL
                return owner.equals(Activation.class.getName()) && Set.of("swish", "relu6", "swishBlock", "relu6Block").contains(name);
            });
}
