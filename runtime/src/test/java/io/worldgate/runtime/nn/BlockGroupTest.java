package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.optim.NoGradient;
import org.junit.jupiter.api.Test;

class BlockGroupTest {
    @Test
    void groupsThePartsParametersAndHasNoForwardPassOfItsOwn() {
        try (NDManager m = NDManager.newBaseManager(); NoGradient off = NoGradient.open()) {
            BlockGroup group = new BlockGroup();
            Linear a = group.add("a", Heads.linear(3, true));
            Linear b = group.add("b", Heads.linear(2, false));
            a.initialize(m, DataType.FLOAT32, new Shape(1, 4));
            b.initialize(m, DataType.FLOAT32, new Shape(1, 5));
            // a: weight 3x4 and bias 3; b: weight 2x5 (DJL numbers the children in the order added)
            assertThat(group.getParameters().keys()).containsExactly("01a_weight", "01a_bias", "02b_weight");
            assertThat(group.getParameters().values().stream().mapToLong(p -> p.getArray().size()).sum())
                    .isEqualTo(12 + 3 + 10);
            assertThatThrownBy(() -> group.forward(new ParameterStore(m, false), new NDList(m.ones(new Shape(1, 4))), false))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void glorotNormalHasVarianceTwoOverFanInPlusFanOutAndZeroClearsAnOutputLayer() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager(); NoGradient off = NoGradient.open()) {
            Mlp mlp = Mlp.builder().units(300).layers(1).outputs(5).build();
            mlp.setInitializer(Initializers.glorotNormal(), Parameter.Type.WEIGHT);
            mlp.initialize(m, DataType.FLOAT32, new Shape(1, 200));
            // first layer 200 -> 300: std = sqrt(2 / (200 + 300)) = 0.063246
            Parameter w = mlp.getParameters().valueAt(0);
            float[] v = w.getArray().toFloatArray();
            double mean = 0;
            for (float x : v) {
                mean += x;
            }
            mean /= v.length;
            double var = 0;
            for (float x : v) {
                var += (x - mean) * (x - mean);
            }
            assertThat(Math.sqrt(var / v.length)).isCloseTo(0.063246, within(0.002));

            Initializers.zero(Initializers.last(mlp));
            for (Parameter p : Initializers.last(mlp).getParameters().values()) {
                assertThat(p.getArray().abs().sum().getFloat()).isZero();
            }
            assertThat(w.getArray().abs().sum().getFloat()).isPositive();
        }
    }
}
