package io.worldgate.runtime.evolve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

    private static double[][] randomSymmetric(int n, Random r) {
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                a[i][j] = r.nextGaussian();
                a[j][i] = a[i][j];
            }
        }
        return a;
    }

    /** max over entries of |A V - V diag(w)| and |V^T V - I|. */
    private static void assertDecomposes(double[][] a, SymmetricEigen.Result e, double tolerance) {
        int n = a.length;
        double[][] v = e.vectors();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double av = 0;
                double vtv = 0;
                for (int j = 0; j < n; j++) {
                    av += a[i][j] * v[j][k];
                    vtv += v[j][i] * v[j][k];
                }
                assertThat(av).isCloseTo(v[i][k] * e.values()[k], within(tolerance));
                assertThat(vtv).isCloseTo(i == k ? 1.0 : 0.0, within(1e-12));
            }
        }
    }

    @Test
    void decomposesRandomSymmetricMatrices() {
        Random r = new Random(1);
        for (int n : new int[] {1, 2, 3, 5, 40}) {
            double[][] a = randomSymmetric(n, r);
            assertDecomposes(a, SymmetricEigen.decompose(a), 1e-11);
        }
    }

    @Test
    void findsKnownEigenvaluesOfAnIllConditionedMatrix() {
        // Q diag(1e-6 .. 1e6) Q^T for a random orthogonal Q: small eigenvalues come out with a small
        // relative error (1e-4: forming A in doubles already perturbs its entries by about 1e-10)
        int n = 12;
        double[][] q = SymmetricEigen.decompose(randomSymmetric(n, new Random(2))).vectors();
        double[] expected = new double[n];
        for (int i = 0; i < n; i++) {
            expected[i] = Math.pow(1e6, 2.0 * i / (n - 1) - 1);
        }
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    a[i][j] += q[i][k] * expected[k] * q[j][k];
                }
            }
        }
        double[] got = SymmetricEigen.decompose(a).values().clone();
        Arrays.sort(got);
        for (int i = 0; i < n; i++) {
            assertThat(got[i] / expected[i]).as("eigenvalue %d", i).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void handlesDiagonalRepeatedAndBlockDiagonalMatrices() {
        double[][] identity = new double[6][6];
        double[][] blocks = new double[6][6];
        for (int i = 0; i < 6; i++) {
            identity[i][i] = 1;
            blocks[i][i] = i;
        }
        blocks[0][1] = blocks[1][0] = 2;
        blocks[4][5] = blocks[5][4] = -3;
        assertDecomposes(identity, SymmetricEigen.decompose(identity), 1e-14);
        assertDecomposes(blocks, SymmetricEigen.decompose(blocks), 1e-13);
    }
}
