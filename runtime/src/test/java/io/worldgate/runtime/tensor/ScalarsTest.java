package io.worldgate.runtime.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.worldgate.runtime.Grad;
import io.worldgate.runtime.optim.GradientScope;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each operation's value and gradient, by hand, with a garbage collection between the forward and
 * the backward pass (the case DJL's own number overloads get wrong, see {@link Scalars}).
 */
class ScalarsTest {
    static NDManager m;
    static final float[] X = {0.5f, 2f, 3f};

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void mulAndDiv() {
        assertValueAndGradient(x -> Scalars.mul(x, 3f), new float[] {1.5f, 6f, 9f}, new float[] {3f, 3f, 3f});
        assertValueAndGradient(x -> Scalars.div(x, 4f), new float[] {0.125f, 0.5f, 0.75f},
                new float[] {0.25f, 0.25f, 0.25f});
    }

    @Test
    void pow() {
        // d x^3 / dx = 3 x^2
        assertValueAndGradient(x -> Scalars.pow(x, 3f), new float[] {0.125f, 8f, 27f}, new float[] {0.75f, 12f, 27f});
    }

    @Test
    void maximumAndMinimumRouteTheGradientToTheLargerAndSmallerOperand() {
        assertValueAndGradient(x -> Scalars.maximum(x, 1f), new float[] {1f, 2f, 3f}, new float[] {0f, 1f, 1f});
        assertValueAndGradient(x -> Scalars.minimum(x, 1f), new float[] {0.5f, 1f, 1f}, new float[] {1f, 0f, 0f});
    }

    @Test
    void integersArePromotedToFloatAndNoArrayIsLeftBehind() {
        try (NDManager local = m.newSubManager()) {
            NDArray ints = local.create(new int[] {1, 2, 3});
            int before = local.getManagedArrays().size();
            NDArray y = Scalars.mul(ints, 0.5f);
            assertThat(y.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(y.toFloatArray()).containsExactly(0.5f, 1f, 1.5f);
            assertThat(local.getManagedArrays()).hasSize(before + 1); // y only; the scalar is closed
            assertThat(Scalars.div(local.create(new double[] {1}), 3f).toDoubleArray()[0]).isEqualTo(1.0 / 3f);
        }
    }

    private static void assertValueAndGradient(Function<NDArray, NDArray> f, float[] value, float[] gradient) {
        NDArray x = Grad.leaf(m, X);
        try (GradientScope tape = GradientScope.open()) {
            NDArray y = f.apply(x);
            collectGarbage();
            assertThat(y.toFloatArray()).containsExactly(value);
            tape.backward(y.sum());
        }
        assertThat(x.getGradient().toFloatArray()).containsExactly(gradient);
    }

    /** Runs the collector, lets the cleaner free direct buffers, and reuses freed native memory. */
    private static void collectGarbage() {
        List<ByteBuffer> reuse = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(30);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < 64; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4);
                b.putFloat(0, Float.NaN);
                reuse.add(b);
            }
        }
    }
}
