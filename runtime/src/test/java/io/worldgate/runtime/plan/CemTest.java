package io.worldgate.runtime.plan;

import static io.worldgate.runtime.plan.PlanTesting.latents;
import static io.worldgate.runtime.plan.PlanTesting.maxError;
import static io.worldgate.runtime.plan.PlanTesting.row;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CEM on {@link QuadraticToy}, whose optima are derived there. */
class CemTest {
    /** How close the evaluation action must come to the derived optimum (reached: within 6e-5). */
    static final double OPTIMUM_TOLERANCE = 1e-3;
    /** How close a one-iteration search of std 0.05 must stay to where it started. */
    static final double TOLERANCE = 0.02;

    NDManager m;
    QuadraticToy toy;

    @BeforeEach
    void open() {
        m = NDManager.newBaseManager();
        toy = new QuadraticToy(m);
        Engine.getInstance().setRandomSeed(23);
    }

    @AfterEach
    void close() {
        m.close();
    }

    static CemSettings withHorizon(int h) {
        CemSettings p = CemSettings.published();
        return new CemSettings(h, p.iterations(), p.candidates(), p.topK(), p.initStd(), p.minStd(), p.exploreNoise());
    }

    @Test
    void publishedSettings() {
        assertThat(CemSettings.published()).isEqualTo(new CemSettings(12, 10, 1000, 100, 1.0, 0.0, 0.3));
    }

    @Test
    void findsTheOneStepOptimumForSeveralEnvironmentsAtOnce() {
        float[][] starts = {{0f, 0f}, {1f, 1f}, {-1f, 0.5f}, {3f, -3f}};
        Plan plan = new Cem(2, withHorizon(1)).plan(latents(m, starts), toy, null, null, null, false);
        assertThat(plan.action().getShape()).isEqualTo(new Shape(4, 2));
        for (int i = 0; i < starts.length; i++) {
            assertThat(maxError(row(plan.action(), i), QuadraticToy.oneStepOptimum(starts[i]))).as("env %d", i).isLessThan(OPTIMUM_TOLERANCE);
        }
    }

    @Test
    void findsTheTwoStepOptimum() {
        float[][] starts = {{0f, 0f}, {1f, 1f}, {-0.5f, 0.5f}};
        Plan plan = new Cem(2, withHorizon(2)).plan(latents(m, starts), toy, null, null, null, false);
        for (int i = 0; i < starts.length; i++) {
            assertThat(maxError(row(plan.action(), i), QuadraticToy.twoStepFirstOptimum(starts[i]))).as("env %d", i).isLessThan(OPTIMUM_TOLERANCE);
            assertThat(maxError(row(plan.mean().get(1), i), QuadraticToy.twoStepSecondOptimum(starts[i]))).as("env %d step 1", i).isLessThan(OPTIMUM_TOLERANCE);
        }
    }

    @Test
    void warmStartKeepsTheOptimumWhileFreshRowsStartCold() {
        // a narrow search (std 0.05) and one iteration can only stay near where it starts
        Cem narrow = new Cem(2, new CemSettings(2, 1, 1000, 100, 0.05, 0.0, 0.3));
        float[] z = {0f, 0f};
        float[] best = QuadraticToy.twoStepFirstOptimum(z); // (0.3, -0.18)
        Plan previous = PlanTesting.previousWithNext(m, best, best, best);
        Plan plan = narrow.plan(latents(m, z, z, z), toy, null, previous, new boolean[] {false, true, false}, false);
        assertThat(maxError(row(plan.action(), 0), best)).isLessThan(TOLERANCE);
        assertThat(maxError(row(plan.action(), 2), best)).isLessThan(TOLERANCE);
        assertThat(maxError(row(plan.action(), 1), best)).isGreaterThan(0.1);
        assertThat(maxError(row(plan.action(), 1), new float[] {0f, 0f})).isLessThan(0.1);

        Plan cold = narrow.plan(latents(m, z), toy, null, null, null, false);
        assertThat(maxError(row(cold.action(), 0), best)).isGreaterThan(0.1);
    }

    @Test
    void evaluationTakesTheMeanAndExplorationAddsNoise() {
        float[][] same = new float[64][];
        Arrays.fill(same, new float[] {0f, 0f});
        Cem cem = new Cem(2, withHorizon(1));
        Plan eval = cem.plan(latents(m, same), toy, null, null, null, false);
        assertThat(eval.action().toFloatArray()).containsExactly(eval.mean().get(0).toFloatArray());

        Plan explore = cem.plan(latents(m, same), toy, null, null, null, true);
        float[] a = explore.action().toFloatArray();
        float[] mean = explore.mean().get(0).toFloatArray();
        double sq = 0;
        for (int i = 0; i < a.length; i++) {
            sq += (a[i] - mean[i]) * (a[i] - mean[i]);
        }
        // 128 draws of N(0, 0.3) (a few clamped): their RMS lies well inside (0.2, 0.4)
        assertThat(Math.sqrt(sq / a.length)).isBetween(0.2, 0.4);
    }

    @Test
    void actionsStayInTheBoxWhenTheOptimumIsFarOutside() {
        float[][] far = {{10f, -10f}, {-10f, 10f}, {0f, 0f}};
        Plan plan = new Cem(2).plan(latents(m, far), toy, null, null, null, true);
        PlanTesting.assertInside(plan.action().toFloatArray(), -1f, 1f);
        PlanTesting.assertInside(plan.mean().toFloatArray(), -1f, 1f);
        assertThat(plan.mean().getShape()).isEqualTo(new Shape(12, 3, 2));
    }

    @Test
    void sameSeedSamePlan() {
        float[][] starts = {{0f, 0f}, {1f, 1f}};
        Cem cem = new Cem(2, withHorizon(3));
        Engine.getInstance().setRandomSeed(5);
        float[] first = cem.plan(latents(m, starts), toy, null, null, null, true).action().toFloatArray();
        Engine.getInstance().setRandomSeed(5);
        float[] second = cem.plan(latents(m, starts), toy, null, null, null, true).action().toFloatArray();
        assertThat(second).containsExactly(first);
    }

    @Test
    void leavesNoArraysBehindButItsPlan() {
        NDArray z = latents(m, new float[] {0f, 0f});
        int before = m.getManagedArrays().size();
        new Cem(2, withHorizon(3)).plan(z, toy, null, null, null, true);
        assertThat(m.getManagedArrays().size()).isEqualTo(before + 3);
    }
}
