package io.worldgate.runtime.plan;

import static io.worldgate.runtime.plan.PlanTesting.latents;
import static io.worldgate.runtime.plan.PlanTesting.maxError;
import static io.worldgate.runtime.plan.PlanTesting.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MPPI on {@link QuadraticToy}, whose optima are derived there. */
class MppiTest {
    /**
     * How close the evaluation action must come to the derived optimum (reached: within 0.005 for
     * the first action; the std floor of 0.05 keeps MPPI from sharpening further).
     */
    static final double TOLERANCE = 0.02;

    NDManager m;
    QuadraticToy toy;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        toy = new QuadraticToy(m);
        Engine.getInstance().setRandomSeed(17);
    }

    @AfterEach
    void close() {
        m.close();
    }

    static MppiSettings withHorizon(int h) {
        MppiSettings p = MppiSettings.published();
        return new MppiSettings(h, p.iterations(), p.samples(), p.elites(), p.policyTrajectories(), p.temperature(), p.minStd(), p.maxStd());
    }

    @Test
    void publishedSettings() {
        assertThat(MppiSettings.published()).isEqualTo(new MppiSettings(3, 6, 512, 64, 24, 0.5, 0.05, 2.0));
    }

    @Test
    void findsTheOneStepOptimumForSeveralEnvironmentsAtOnce() {
        float[][] starts = {{0f, 0f}, {1f, 1f}, {-1f, 0.5f}, {3f, -3f}};
        Plan plan = new Mppi(2, withHorizon(1)).plan(latents(m, starts), toy, null, null, null, false);
        assertThat(plan.action().getShape()).isEqualTo(new Shape(4, 2));
        for (int i = 0; i < starts.length; i++) {
            // the last start's optimum (-1.25, 1.35) lies outside the box: clamped to (-1, 1)
            assertThat(maxError(row(plan.action(), i), QuadraticToy.oneStepOptimum(starts[i]))).as("env %d", i).isLessThan(TOLERANCE);
        }
    }

    @Test
    void findsTheTwoStepOptimum() {
        float[][] starts = {{0f, 0f}, {1f, 1f}, {-0.5f, 0.5f}};
        Plan plan = new Mppi(2, withHorizon(2)).plan(latents(m, starts), toy, null, null, null, false);
        for (int i = 0; i < starts.length; i++) {
            assertThat(maxError(row(plan.action(), i), QuadraticToy.twoStepFirstOptimum(starts[i]))).as("env %d", i).isLessThan(TOLERANCE);
            assertThat(maxError(row(plan.mean().get(1), i), QuadraticToy.twoStepSecondOptimum(starts[i]))).as("env %d step 1", i).isLessThan(2 * TOLERANCE);
        }
    }

    @Test
    void warmStartKeepsTheOptimumWhileFreshRowsStartCold() {
        // a narrow search (std fixed at 0.05) and one iteration can only stay near where it starts
        Mppi narrow = new Mppi(2, new MppiSettings(2, 1, 512, 64, 24, 0.5, 0.05, 0.05));
        float[] z = {0f, 0f};
        float[] best = QuadraticToy.twoStepFirstOptimum(z); // (0.3, -0.18)
        Plan previous = PlanTesting.previousWithNext(m, best, best, best);
        Plan plan = narrow.plan(latents(m, z, z, z), toy, null, previous, new boolean[] {false, true, false}, false);
        assertThat(maxError(row(plan.action(), 0), best)).isLessThan(TOLERANCE);
        assertThat(maxError(row(plan.action(), 2), best)).isLessThan(TOLERANCE);
        // the fresh row ignored the previous plan: it starts at 0 and stays near it
        assertThat(maxError(row(plan.action(), 1), best)).isGreaterThan(0.1);
        assertThat(maxError(row(plan.action(), 1), new float[] {0f, 0f})).isLessThan(0.1);

        Plan cold = narrow.plan(latents(m, z), toy, null, null, null, false);
        assertThat(maxError(row(cold.action(), 0), best)).isGreaterThan(0.1);
    }

    @Test
    void warmStartShiftsThePreviousMeanAndZeroesTheLastStep() {
        float[] z = {0f, 0f};
        Plan previous = PlanTesting.previousWithNext(m, new float[] {0.7f, -0.7f});
        NDArray start = Candidates.startMean(m, previous, null, 2, 1, 2);
        assertThat(start.toFloatArray()).containsExactly(0.7f, -0.7f, 0f, 0f);
        assertThat(Candidates.startMean(m, previous, new boolean[] {true}, 2, 1, 2).toFloatArray()).containsExactly(new float[4], within(0f));
        assertThatThrownBy(() -> new Mppi(2, withHorizon(3)).plan(latents(m, z), toy, null, previous, null, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void evaluationTakesTheMeanAndExplorationSamplesAroundIt() {
        float[] z = {0f, 0f};
        float[][] same = new float[64][];
        java.util.Arrays.fill(same, z);
        Mppi mppi = new Mppi(2, withHorizon(1));
        Plan eval = mppi.plan(latents(m, same), toy, null, null, null, false);
        assertThat(eval.action().toFloatArray()).containsExactly(eval.mean().get(0).toFloatArray());

        Plan explore = mppi.plan(latents(m, same), toy, null, null, null, true);
        float[] a = explore.action().toFloatArray();
        float[] mean = explore.mean().get(0).toFloatArray();
        double sq = 0;
        for (int i = 0; i < a.length; i++) {
            sq += (a[i] - mean[i]) * (a[i] - mean[i]);
            assertThat(Math.abs(a[i] - mean[i])).isLessThan(0.5f);
        }
        // noise of std >= minStd = 0.05 on top of the drawn elite's spread
        assertThat(Math.sqrt(sq / a.length)).isGreaterThan(0.03);
    }

    @Test
    void actionsStayInTheBoxWhenTheOptimumIsFarOutside() {
        float[][] far = {{10f, -10f}, {-10f, 10f}, {0f, 0f}};
        Plan plan = new Mppi(2).plan(latents(m, far), toy, null, null, null, true);
        PlanTesting.assertInside(plan.action().toFloatArray(), -1f, 1f);
        PlanTesting.assertInside(plan.mean().toFloatArray(), -1f, 1f);
        PlanTesting.assertInside(plan.std().toFloatArray(), 0.05f, 2f);
        assertThat(plan.mean().getShape()).isEqualTo(new Shape(3, 3, 2));
    }

    @Test
    void aPriorThatProposesTheOptimumIsFoundInOneIteration() {
        MppiSettings small = new MppiSettings(1, 1, 32, 4, 8, 0.5, 0.05, 2.0);
        float[][] starts = {{0f, 0f}, {1f, 1f}, {3f, -3f}};
        Plan withPrior = new Mppi(2, small).plan(latents(m, starts), toy, toy.optimalPrior(), null, null, false);
        Plan without = new Mppi(2, small).plan(latents(m, starts), toy, null, null, null, false);
        double worstWithout = 0;
        for (int i = 0; i < starts.length; i++) {
            float[] best = QuadraticToy.oneStepOptimum(starts[i]);
            assertThat(maxError(row(withPrior.action(), i), best)).as("env %d", i).isLessThan(1e-5);
            worstWithout = Math.max(worstWithout, maxError(row(without.action(), i), best));
        }
        assertThat(worstWithout).isGreaterThan(0.05);
    }

    @Test
    void eliteWeightsAndRefitMatchHandValues() {
        // H = 1, A = 1, all 3 samples from a prior proposing 0.2, 0.6 and -0.4 under reward r = a.
        // Elites (k = 2): 0.6 and 0.2. Weights exp(0.5 (v - 0.6)) normalised: 1 and e^-0.2 over
        // 1 + e^-0.2 = 0.549834 and 0.450166. Mean 0.6 * 0.549834 + 0.2 * 0.450166 = 0.419934;
        // std sqrt(w1 w2) * |0.6 - 0.2| = 0.199004.
        LatentModel linear = new LatentModel() {
            @Override
            public NDArray next(NDArray z, NDArray a) {
                return z;
            }

            @Override
            public NDArray reward(NDArray z, NDArray a) {
                return a.sum(new int[] {1});
            }

            @Override
            public NDArray terminalValue(NDArray z) {
                return z.get(":, 0").zerosLike();
            }
        };
        ActionPrior proposals = z -> z.getManager().create(new float[] {0.2f, 0.6f, -0.4f}, new Shape(3, 1));
        Mppi tiny = new Mppi(1, new MppiSettings(1, 1, 3, 2, 3, 0.5, 0.0, 2.0));
        Plan plan = tiny.plan(m.zeros(new Shape(1, 2)), linear, proposals, null, null, false);
        assertThat(plan.mean().getFloat(0, 0, 0)).isCloseTo(0.419934f, within(1e-5f));
        assertThat(plan.std().getFloat(0, 0, 0)).isCloseTo(0.199004f, within(1e-5f));

        Mppi.Refit fit = Mppi.refit(m.create(new float[] {0.6f, 0.2f}, new Shape(1, 2)),
                m.create(new float[] {0.6f, 0.2f}, new Shape(1, 1, 2, 1)), 0.5, 0.0, 2.0);
        assertThat(fit.weights().toFloatArray()).containsExactly(new float[] {0.549834f, 0.450166f}, within(1e-5f));
    }

    @Test
    void sameSeedSamePlan() {
        float[][] starts = {{0f, 0f}, {1f, 1f}};
        Mppi mppi = new Mppi(2);
        Engine.getInstance().setRandomSeed(5);
        float[] first = mppi.plan(latents(m, starts), toy, toy.optimalPrior(), null, null, true).action().toFloatArray();
        Engine.getInstance().setRandomSeed(5);
        float[] second = mppi.plan(latents(m, starts), toy, toy.optimalPrior(), null, null, true).action().toFloatArray();
        assertThat(second).containsExactly(first);
    }

    @Test
    void leavesNoArraysBehindButItsPlan() {
        NDArray z = latents(m, new float[] {0f, 0f});
        int before = m.getManagedArrays().size();
        new Mppi(2).plan(z, toy, toy.optimalPrior(), null, null, true);
        assertThat(m.getManagedArrays().size()).isEqualTo(before + 3);
    }
}
