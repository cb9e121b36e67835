package io.worldgate.runtime.evolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CmaEsTest {

    private static CmaEs ellipsoidRun(long seed, int generations) {
        CmaEs es = new CmaEs(CmaEsSettings.of(TestFunctions.filled(8, 1.0), 0.5, seed));
        for (int g = 0; g < generations; g++) {
            step(es);
        }
        return es;
    }

    private static double[][] step(CmaEs es) {
        double[][] xs = es.ask();
        double[] fs = new double[xs.length];
        for (int k = 0; k < xs.length; k++) {
            fs[k] = TestFunctions.ellipsoid(xs[k]);
        }
        es.tell(xs, fs);
        return xs;
    }

    private static CmaEs roundTrip(CmaEs es) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        es.save(new DataOutputStream(bytes));
        return CmaEs.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void defaultsFollowTheTutorial() {
        CmaEsSettings s = CmaEsSettings.of(new double[867], 0.1, 0);
        assertThat(s.populationSize()).isEqualTo(4 + (int) Math.floor(3 * Math.log(867)));
        assertThat(CmaEsSettings.of(new double[10], 0.5, 0).populationSize()).isEqualTo(10);
        assertThat(s.withPopulationSize(64).populationSize()).isEqualTo(64);
        assertThat(new CmaEs(s.withPopulationSize(64)).ask()).hasDimensions(64, 867);
    }

    @Test
    void theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
        CmaEs a = ellipsoidRun(7, 0);
        CmaEs b = ellipsoidRun(7, 0);
        CmaEs other = ellipsoidRun(8, 0);
        for (int g = 0; g < 30; g++) {
            double[][] xa = step(a);
            assertThat(step(b)).isDeepEqualTo(xa);
            assertThat(step(other)[0]).isNotEqualTo(xa[0]);
        }
        assertThat(b.mean()).isEqualTo(a.mean());
        assertThat(b.sigma()).isEqualTo(a.sigma());
    }

    @Test
    void askingAgainBeforeTellGivesTheSameCandidates() {
        CmaEs es = ellipsoidRun(3, 5);
        assertThat(es.ask()).isDeepEqualTo(es.ask());
    }

    @Test
    void aRunSavedAfterTellContinuesIdentically() throws Exception {
        // 40 generations: several eigendecompositions, so B and D are far from the identity
        CmaEs original = ellipsoidRun(11, 40);
        CmaEs resumed = roundTrip(original);
        assertThat(resumed.generation()).isEqualTo(40);
        for (int g = 0; g < 40; g++) {
            assertThat(step(resumed)).isDeepEqualTo(step(original));
        }
        assertThat(resumed.mean()).isEqualTo(original.mean());
        assertThat(resumed.sigma()).isEqualTo(original.sigma());
        assertThat(resumed.bestFitness()).isEqualTo(original.bestFitness());
        assertThat(resumed.stopReasons()).isEqualTo(original.stopReasons());
    }

    @Test
    void aRunSavedBetweenAskAndTellAsksTheSameCandidatesAgain(@TempDir Path dir) throws Exception {
        CmaEs original = ellipsoidRun(12, 25);
        double[][] asked = original.ask();
        Path file = dir.resolve("cmaes.bin");
        original.save(file);
        CmaEs resumed = CmaEs.load(file);
        assertThat(resumed.ask()).isDeepEqualTo(asked);
        for (int g = 0; g < 10; g++) {
            assertThat(step(resumed)).isDeepEqualTo(step(original));
        }
        assertThat(resumed.mean()).isEqualTo(original.mean());
    }

    @Test
    void aFileThatIsNotACheckpointIsRefused(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("junk.bin");
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> CmaEs.load(file)).isInstanceOf(IncompatibleCheckpointException.class);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x57474345);
        out.writeInt(1);
        out.writeInt(Integer.MAX_VALUE); // a corrupt dimension
        assertThatThrownBy(() -> CmaEs.load(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))))
                .isInstanceOf(IncompatibleCheckpointException.class);
    }

    @Test
    void tellDoesNotDependOnTheOrderOfTheCandidates() {
        CmaEs a = ellipsoidRun(5, 12);
        CmaEs b = ellipsoidRun(5, 12);
        double[][] xs = a.ask();
        double[] fs = new double[xs.length];
        for (int k = 0; k < xs.length; k++) {
            fs[k] = TestFunctions.ellipsoid(xs[k]);
        }
        a.tell(xs, fs);
        double[][] reversed = new double[xs.length][];
        double[] reversedFitness = new double[xs.length];
        b.ask();
        for (int k = 0; k < xs.length; k++) {
            reversed[k] = xs[xs.length - 1 - k];
            reversedFitness[k] = fs[xs.length - 1 - k];
        }
        b.tell(reversed, reversedFitness);
        assertThat(b.mean()).isEqualTo(a.mean());
        assertThat(b.sigma()).isEqualTo(a.sigma());
        assertThat(b.ask()).isDeepEqualTo(a.ask());
    }

    @Test
    void tellChecksItsArguments() {
        CmaEs es = new CmaEs(CmaEsSettings.of(new double[3], 1.0, 0));
        assertThatThrownBy(() -> es.tell(new double[6][3], new double[6])).isInstanceOf(IllegalStateException.class);
        double[][] xs = es.ask();
        int lambda = xs.length;
        assertThatThrownBy(() -> es.tell(xs, new double[lambda - 1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> es.tell(java.util.Arrays.copyOf(xs, lambda - 1), new double[lambda])).isInstanceOf(IllegalArgumentException.class);
        double[][] shortOne = es.ask();
        shortOne[2] = new double[2];
        assertThatThrownBy(() -> es.tell(shortOne, new double[lambda])).isInstanceOf(IllegalArgumentException.class);
        double[][] nan = es.ask();
        nan[1][0] = Double.NaN;
        assertThatThrownBy(() -> es.tell(nan, new double[lambda])).isInstanceOf(IllegalArgumentException.class);
        double[] fitness = new double[lambda];
        fitness[4] = Double.NaN;
        assertThatThrownBy(() -> es.tell(xs, fitness)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> es.tell(null, fitness)).isInstanceOf(IllegalArgumentException.class);
        assertThat(es.generation()).isZero();

        fitness[4] = Double.POSITIVE_INFINITY; // a candidate that failed is allowed
        es.tell(xs, fitness);
        assertThat(es.generation()).isEqualTo(1);
        assertThatThrownBy(() -> es.tell(xs, fitness)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void settingsRejectBadValues() {
        assertThatThrownBy(() -> CmaEsSettings.of(new double[0], 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CmaEsSettings.of(new double[2], 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CmaEsSettings.of(new double[2], Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CmaEsSettings.of(new double[] {1, Double.POSITIVE_INFINITY}, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CmaEsSettings.of(new double[2], 1, 0).withPopulationSize(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CmaEsSettings.of(new double[2], 1, 0).withMaxIterations(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stopsOnMaxIterations() {
        CmaEs es = new CmaEs(CmaEsSettings.of(TestFunctions.filled(4, 1.0), 0.5, 1).withMaxIterations(5));
        while (!es.shouldStop()) {
            step(es);
        }
        assertThat(es.generation()).isEqualTo(5);
        assertThat(es.stopReasons()).containsExactly(StopReason.MAX_ITERATIONS);
    }

    @Test
    void stopsOnTolFunOnceTheValuesStopChanging() {
        CmaEs es = new CmaEs(CmaEsSettings.of(TestFunctions.filled(4, 1.0), 0.5, 1).withTolFun(1e-9).withTolX(0));
        while (!es.shouldStop()) {
            step(es);
        }
        assertThat(es.stopReasons()).contains(StopReason.TOL_FUN);
        assertThat(es.bestFitness()).isLessThan(1e-8);
    }

    @Test
    void stopsOnTolXWhenTheSearchStopsMoving() {
        CmaEs es = new CmaEs(CmaEsSettings.of(TestFunctions.filled(4, 1.0), 0.5, 1).withTolFun(0).withTolX(1e-6));
        while (!es.shouldStop()) {
            step(es);
        }
        assertThat(es.stopReasons()).containsExactly(StopReason.TOL_X);
        assertThat(TestFunctions.sphere(es.mean())).isLessThan(1e-8);
    }
}
