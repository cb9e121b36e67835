package io.worldgate.runtime.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LambdaReturnsTest {
    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void threeStepsByHand() {
        // γ = 0.9, λ = 0.8, r = (1, 2, 3), v = (0.5, 1, 2, 4); R_3 = v_3 = 4.
        // Row 0, c = (1, 1, 0) (terminates after the last step):
        //   R_2 = 3 + 0.9*0*(...)                          = 3
        //   R_1 = 2 + 0.9*1*(0.2*2 + 0.8*3)   = 2 + 0.9*2.8  = 4.52
        //   R_0 = 1 + 0.9*1*(0.2*1 + 0.8*4.52) = 1 + 0.9*3.816 = 4.4344
        // Row 1, c = (1, 1, 1):
        //   R_2 = 3 + 0.9*(0.2*4 + 0.8*4)     = 6.6
        //   R_1 = 2 + 0.9*(0.2*2 + 0.8*6.6)   = 2 + 0.9*5.68   = 7.112
        //   R_0 = 1 + 0.9*(0.2*1 + 0.8*7.112) = 1 + 0.9*5.8896 = 6.30064
        NDArray r = m.create(new float[] {1, 2, 3, 1, 2, 3}, new Shape(2, 3));
        NDArray c = m.create(new float[] {1, 1, 0, 1, 1, 1}, new Shape(2, 3));
        NDArray v = m.create(new float[] {0.5f, 1, 2, 4, 0.5f, 1, 2, 4}, new Shape(2, 4));
        NDArray ret = LambdaReturns.compute(r, c, v, 0.9f, 0.8f);
        assertThat(ret.getShape()).isEqualTo(new Shape(2, 3));
        float[] got = ret.toFloatArray();
        float[] want = {4.4344f, 4.52f, 3f, 6.30064f, 7.112f, 6.6f};
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as("R[%d]", i).isCloseTo(want[i], within(1e-5f));
        }
    }

    @Test
    void lambdaZeroIsOneStepTdAndLambdaOneIsMonteCarlo() {
        // λ = 0: R_t = r_t + γ v_{t+1} = (1 + 0.5*10, 1 + 0.5*20) = (6, 11)
        NDArray r = m.create(new float[] {1, 1}, new Shape(1, 2));
        NDArray c = m.ones(new Shape(1, 2));
        NDArray v = m.create(new float[] {0, 10, 20}, new Shape(1, 3));
        assertThat(LambdaReturns.compute(r, c, v, 0.5f, 0f).toFloatArray()).containsExactly(6f, 11f);
        // λ = 1: R_1 = 1 + 0.5*20 = 11, R_0 = 1 + 0.5*11 = 6.5
        assertThat(LambdaReturns.compute(r, c, v, 0.5f, 1f).toFloatArray()).containsExactly(6.5f, 11f);
    }

    @Test
    void rejectsMismatchedValues() {
        NDArray r = m.zeros(new Shape(1, 3));
        assertThatThrownBy(() -> LambdaReturns.compute(r, r, m.zeros(new Shape(1, 3)), 0.9f, 0.9f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("T + 1");
    }
}
