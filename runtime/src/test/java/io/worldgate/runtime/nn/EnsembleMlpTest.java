package io.worldgate.runtime.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import io.worldgate.runtime.optim.GradientScope;
import io.worldgate.runtime.optim.NoGradient;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stacked ensemble against each member computed alone, layer by layer, on the same weights. */
class EnsembleMlpTest {
    private static final float TOL = 1e-6f;
    private NDManager m;
    private ParameterStore ps;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        ps = new ParameterStore(m, false);
    }

    @AfterEach
    void close() {
        m.close();
    }

    /** An ensemble of 3 with every parameter random (so that a mixed-up member or layer shows). */
    private EnsembleMlp ensemble(float dropout) {
        EnsembleMlp e = new EnsembleMlp(3, 16, 2, 5, dropout, 1e-5f);
        e.initialize(m, DataType.FLOAT32, new Shape(1, 7));
        try (NoGradient off = NoGradient.open()) {
            for (Parameter p : e.getParameters().values()) {
                p.getArray().set(new NDIndex("..."), m.randomNormal(0f, 0.5f, p.getArray().getShape(), DataType.FLOAT32));
            }
        }
        return e;
    }

    private static NDArray param(EnsembleMlp e, String name) {
        for (Parameter p : e.getParameters().values()) {
            if (p.getName().equals(name)) {
                return p.getArray();
            }
        }
        throw new AssertionError("no parameter " + name);
    }

    /** Member {@code k} as a plain MLP: Linear -> LayerNorm -> Mish twice, then Linear; Mish by its definition. */
    private static NDArray member(EnsembleMlp e, int k, NDArray x) {
        NDArray h = x;
        for (int i = 0; i <= 2; i++) {
            h = Linear.linear(h, param(e, "weight" + i).get(k), param(e, "bias" + i).get(k)).singletonOrThrow();
            if (i < 2) {
                h = ai.djl.nn.norm.LayerNorm.layerNorm(h, new Shape(16), param(e, "gamma" + i).get(k),
                        param(e, "beta" + i).get(k), 1e-5f).singletonOrThrow();
                h = h.mul(h.exp().add(1f).log().tanh());
            }
        }
        return h;
    }

    @Test
    void everyMemberEqualsItsOwnMlpOnTheSameWeights() {
        EnsembleMlp e = ensemble(0.01f);
        NDArray x = m.randomNormal(0f, 1f, new Shape(4, 6, 7), DataType.FLOAT32);
        NDArray all = e.forward(ps, x, false);
        assertThat(all.getShape()).isEqualTo(new Shape(3, 4, 6, 5));
        for (int k = 0; k < 3; k++) {
            float[] want = member(e, k, x).toFloatArray();
            assertThat(all.get(k).toFloatArray()).containsExactly(want, within(TOL));
        }
        // a subset, in the order asked for
        NDArray some = e.forward(ps, x, new int[] {2, 0}, false);
        assertThat(some.getShape()).isEqualTo(new Shape(2, 4, 6, 5));
        assertThat(some.get(0).toFloatArray()).containsExactly(all.get(2).toFloatArray(), within(TOL));
        assertThat(some.get(1).toFloatArray()).containsExactly(all.get(0).toFloatArray(), within(TOL));
    }

    /** Gradients reach every member's own parameters only through its own output. */
    @Test
    void gradientsOfOneMemberStayInThatMember() {
        EnsembleMlp e = ensemble(0f);
        for (Parameter p : e.getParameters().values()) {
            p.getArray().setRequiresGradient(true);
        }
        NDArray x = m.randomNormal(0f, 1f, new Shape(5, 7), DataType.FLOAT32);
        Map<String, NDArray> grads = new HashMap<>();
        try (GradientScope tape = GradientScope.open()) {
            tape.backward(e.forward(ps, x, false).get(1).sum());
        }
        for (Parameter p : e.getParameters().values()) {
            grads.put(p.getName(), p.getArray().getGradient());
        }
        for (String name : grads.keySet()) {
            NDArray g = grads.get(name);
            assertThat(g.get(0).abs().sum().getFloat()).as(name + " of member 0").isZero();
            assertThat(g.get(2).abs().sum().getFloat()).as(name + " of member 2").isZero();
            assertThat(g.get(1).abs().sum().getFloat()).as(name + " of member 1").isPositive();
        }
    }

    /**
     * Views and gathers of the weights belong to the call, not to the parameters' manager; only
     * the index of a choice of members is kept there, once.
     */
    @Test
    void leavesNoArraysOnTheParametersManager() {
        EnsembleMlp e = ensemble(0.01f);
        try (NDManager first = m.newSubManager()) {
            e.forward(ps, first.zeros(new Shape(2, 7)), new int[] {1, 2}, false);
        }
        int before = m.getManagedArrays().size();
        try (NDManager call = m.newSubManager()) {
            NDArray x = call.randomNormal(0f, 1f, new Shape(8, 7), DataType.FLOAT32);
            e.forward(ps, x, true);
            e.forward(ps, x, new int[] {1, 2}, false);
        }
        assertThat(m.getManagedArrays()).hasSize(before);
    }

    @Test
    void trainingDropsOutOnlyWhenAsked() {
        EnsembleMlp e = ensemble(0.5f);
        NDArray x = m.randomNormal(0f, 1f, new Shape(64, 7), DataType.FLOAT32);
        float[] eval = e.forward(ps, x, false).toFloatArray();
        assertThat(e.forward(ps, x, false).toFloatArray()).containsExactly(eval);
        assertThat(e.forward(ps, x, true).toFloatArray()).isNotEqualTo(eval);
    }

    /** Mish(x) = x tanh(ln(1 + e^x)): Mish(1) = tanh(ln(1 + e)) = 0.865098, and no overflow at 100. */
    @Test
    void mishIsTheNaturalLogarithmDefinition() {
        float[] y = Mish.mish(m.create(new float[] {1f, -1f, 0f, 100f, -100f})).toFloatArray();
        assertThat(y[0]).isCloseTo(0.865098f, within(1e-5f));
        assertThat(y[1]).isCloseTo(-0.303401f, within(1e-5f));
        assertThat(y[2]).isZero();
        assertThat(y[3]).isCloseTo(100f, within(1e-4f));
        assertThat(y[4]).isCloseTo(0f, within(1e-6f));
    }
}
