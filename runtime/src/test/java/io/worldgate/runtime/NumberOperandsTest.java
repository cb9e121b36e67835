package io.worldgate.runtime;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * No runtime class uses DJL's number overloads whose backward pass reads freed memory after a
 * garbage collection (see {@link io.worldgate.runtime.tensor.Scalars}). In-place variants
 * ({@code muli}, ...) are left alone: they only touch arrays outside the autograd graph.
 */
class NumberOperandsTest {
    @Test
    void differentiableArithmeticTakesItsNumbersFromScalars() {
        JavaClasses runtime = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.worldgate.runtime");
        noClasses().should().callMethod(NDArray.class, "mul", Number.class)
                .orShould().callMethod(NDArray.class, "div", Number.class)
                .orShould().callMethod(NDArray.class, "pow", Number.class)
                .orShould().callMethod(NDArray.class, "maximum", Number.class)
                .orShould().callMethod(NDArray.class, "minimum", Number.class)
                .because("DJL frees the number's tensor while autograd still needs it; use Scalars")
                .check(runtime);
    }
}
