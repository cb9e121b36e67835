package io.worldgate.runtime.nn.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** What DJL would read as TorchScript routing in an input's name, and how such an input is still passed. */
class ScriptedModuleTest {
    @Test
    void namesDjlReadsAsRoutingAreTheOnlyOnesPassedAsViews() {
        assertThat(ScriptedModule.readsAsRouting(null)).isFalse();
        assertThat(ScriptedModule.readsAsRouting("weight")).isFalse();
        assertThat(ScriptedModule.readsAsRouting("01Linear_weight")).isFalse();
        assertThat(ScriptedModule.readsAsRouting("encoder.weight")).isTrue();
        assertThat(ScriptedModule.readsAsRouting("inputs[]")).isTrue();
        assertThat(ScriptedModule.readsAsRouting("inputs()")).isTrue();
        assertThat(ScriptedModule.readsAsRouting("module_method:encode")).isTrue();
    }

    /** [[1, 2]] [[1, 1], [0, 1]]^T + [0.5, 0] = [[3.5, 2]]: a routing name changes nothing, and its view is closed. */
    @Test
    void anInputWithARoutingNameIsPassedInOrderAndItsViewClosed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, 2f}, new Shape(1, 2));
            NDArray w = manager.create(new float[] {1f, 1f, 0f, 1f}, new Shape(2, 2));
            w.setName("encoder.weight");
            NDArray b = manager.create(new float[] {0.5f, 0f});
            int before = manager.getManagedArrays().size();
            NDArray y = Bf16Kernels.linear(x, w, b);
            assertThat(y.toFloatArray()).containsExactly(3.5f, 2f);
            assertThat(manager.getManagedArrays().size()).as("only the output is new").isEqualTo(before + 1);
        }
    }
}
