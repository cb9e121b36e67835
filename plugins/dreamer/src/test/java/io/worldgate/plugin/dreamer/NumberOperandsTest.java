package io.worldgate.plugin.dreamer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * No Dreamer class uses DJL's number overloads whose backward pass reads freed memory after a
 * garbage collection (see the runtime's {@code Scalars}). In-place variants
 * ({@code muli}, ...) are left alone: they only touch arrays outside the autograd graph.
 */
class NumberOperandsTest {
    @Test
    void differentiableArithmeticTakesItsNumbersFromScalars() {
        JavaClasses dreamer = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.worldgate.plugin.dreamer");
        noClasses().should().callMethod(NDArray.class, "mul", Number.class)
                .orShould().callMethod(NDArray.class, "div", Number.class)
                .orShould().callMethod(NDArray.class, "pow", Number.class)
                .orShould().callMethod(NDArray.class, "maximum", Number.class)
                .orShould().callMethod(NDArray.class, "minimum", Number.class)
                .because("DJL frees the number's tensor while autograd still needs it; use Scalars")
                .check(dreamer);
    }
}
