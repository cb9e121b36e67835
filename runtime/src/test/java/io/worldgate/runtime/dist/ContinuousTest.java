package io.worldgate.runtime.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ContinuousTest {
    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(11);
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void normalByHand() {
        // x = 1.5, μ = 0.5, σ = 2: -(1)²/8 - ln 2 - ½ ln 2π = -0.125 - 0.693147 - 0.918939 = -1.737086
        Normal n = new Normal(m.create(new float[] {0.5f}), m.create(new float[] {2f}));
        assertThat(n.logProb(m.create(new float[] {1.5f})).getFloat()).isCloseTo(-1.737086f, within(1e-5f));
        // H = ½ + ½ ln 2π + ln 2 = 2.112086
        assertThat(n.entropy().getFloat()).isCloseTo(2.112086f, within(1e-5f));
        // KL(N(0,1) || N(1,2)) = ln 2 + (1 + 1)/(2*4) - ½ = 0.443147
        Normal a = new Normal(m.create(new float[] {0f}), m.create(new float[] {1f}));
        Normal b = new Normal(m.create(new float[] {1f}), m.create(new float[] {2f}));
        assertThat(a.kl(b).getFloat()).isCloseTo(0.443147f, within(1e-5f));
    }

    @Test
    void tanhNormalLogProbByHand() {
        // μ = 0.2, σ = 0.5, a = 0.6: u = atanh(0.6) = ½ ln(1.6/0.4) = ln 2 = 0.693147
        // log N(u) = -(0.493147)²/(2*0.25) - ln 0.5 - ½ ln 2π = -0.486388 + 0.693147 - 0.918939 = -0.712180
        // ln(1 - a²) = ln 0.64 = -0.446287;  log p(a) = -0.712180 + 0.446287 = -0.265893
        double u = 0.5 * Math.log(1.6 / 0.4);
        double byHand = -Math.pow(u - 0.2, 2) / (2 * 0.25) - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI) - Math.log(1 - 0.36);
        assertThat(byHand).isCloseTo(-0.265893, within(1e-6));
        TanhNormal d = new TanhNormal(m.create(new float[] {0.2f}), m.create(new float[] {0.5f}));
        assertThat(d.logProb(m.create(new float[] {0.6f})).getFloat()).isCloseTo(-0.265893f, within(1e-5f));
        assertThat(d.mode().getFloat()).isCloseTo((float) Math.tanh(0.2), within(1e-6f));
    }

    @Test
    void tanhNormalSamplesStayInsideAndAgreeWithLogProb() {
        NDArray mean = m.create(new float[] {0f, 1f, -2f}).reshape(1, 3).repeat(0, 100);
        NDArray std = m.ones(new Shape(100, 3)).mul(0.7f);
        TanhNormal d = new TanhNormal(mean, std);
        NDList s = d.sampleWithLogProb();
        float[] a = s.get(0).toFloatArray();
        for (float v : a) {
            assertThat(Math.abs(v)).isLessThan(1f);
        }
        // log p from the pre-squash value equals log p recomputed from a (away from ±1)
        float[] direct = s.get(1).toFloatArray();
        float[] viaA = d.logProb(s.get(0)).toFloatArray();
        for (int i = 0; i < a.length; i++) {
            if (Math.abs(a[i]) < 0.99f) {
                assertThat(viaA[i]).isCloseTo(direct[i], within(2e-3f));
            }
        }
        // summed over 3 action dims
        assertThat(new Independent(d, 1).logProb(s.get(0)).getShape()).isEqualTo(new Shape(100));
    }

    @Test
    void bernoulliByHand() {
        // logit 0.7: ln σ(0.7) = -0.403186, ln(1 - σ(0.7)) = -1.103186
        Bernoulli b = new Bernoulli(m.create(new float[] {0.7f, 0.7f}));
        float[] lp = b.logProb(m.create(new float[] {1f, 0f})).toFloatArray();
        assertThat(lp[0]).isCloseTo(-0.403186f, within(1e-5f));
        assertThat(lp[1]).isCloseTo(-1.103186f, within(1e-5f));
        // H = -(p ln p + (1-p) ln(1-p)), p = σ(0.7) = 0.668188: 0.668188*0.403186 + 0.331812*1.103186 = 0.635450
        assertThat(b.entropy().toFloatArray()[0]).isCloseTo(0.635450f, within(1e-5f));
        assertThat(b.mode().toFloatArray()).containsExactly(1f, 1f);
        float[] s = b.sample().toFloatArray();
        assertThat(s[0] == 0f || s[0] == 1f).isTrue();
    }

    @Test
    void symlogMse() {
        // prediction 1 (symlog space); target e - 1 has symlog 1: loss 0; target 0: loss 1 per entry
        SymlogMse d = new SymlogMse(m.create(new float[] {1f, 1f}, new Shape(1, 2)), 1);
        float e1 = (float) (Math.E - 1);
        assertThat(d.loss(m.create(new float[] {e1, e1}, new Shape(1, 2))).toFloatArray()[0]).isCloseTo(0f, within(1e-6f));
        assertThat(d.loss(m.zeros(new Shape(1, 2))).toFloatArray()[0]).isCloseTo(2f, within(1e-6f));
        assertThat(d.mode().toFloatArray()[0]).isCloseTo(e1, within(1e-6f));
    }
}
