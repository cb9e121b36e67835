package io.worldgate.runtime.evolve;

/**
 * Eigendecomposition of a real symmetric matrix by cyclic Jacobi rotations: {@code A = V diag(w)
 * V^T} with {@code V} orthogonal. No linear-algebra library is in the runtime bundle, and Jacobi
 * is short, robust and accurate in the relative sense that CMA-ES needs (its covariance matrices
 * reach condition numbers of 1e12 and the small eigenvalues matter as much as the large ones): a
 * pair is rotated while {@code |a_pq| > eps sqrt(|a_pp a_qq|)}.
 *
 * <p>Cost: about {@code 8 n^3} flops per sweep; a fresh matrix needs 6 to 10 sweeps, one that is
 * nearly diagonal (see {@link #decomposeNear}) 1 to 3.
 */
final class SymmetricEigen {
    private static final double EPS = 1e-15;
    private static final int MAX_SWEEPS = 60;

    /** Eigenvalues (unsorted) and eigenvectors as the columns of {@code vectors}. */
    record Result(double[] values, double[][] vectors, int sweeps) {}

    private SymmetricEigen() {}

    /** Decomposes {@code a} (read only; only its upper triangle is used). */
    static Result decompose(double[][] a) {
        int n = a.length;
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            v[i][i] = 1.0;
        }
        return rotate(symmetricCopy(a), v);
    }

    /**
     * Decomposes {@code a} starting from an orthogonal basis {@code basis} that nearly
     * diagonalises it (the previous decomposition of a slowly changing matrix): Jacobi then works on
     * {@code basis^T a basis}, which converges in far fewer sweeps.
     */
    static Result decomposeNear(double[][] a, double[][] basis) {
        int n = a.length;
        double[][] ab = multiply(symmetricCopy(a), basis);
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double bki = basis[k][i];
                if (bki == 0.0) {
                    continue;
                }
                double[] abk = ab[k];
                double[] ti = t[i];
                for (int j = i; j < n; j++) {
                    ti[j] += bki * abk[j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                t[i][j] = t[j][i];
            }
        }
        double[][] v = new double[n][];
        for (int i = 0; i < n; i++) {
            v[i] = basis[i].clone();
        }
        return rotate(t, v);
    }

    private static double[][] symmetricCopy(double[][] a) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException("matrix is not square: row " + i + " has " + a[i].length + " columns, expected " + n);
            }
            for (int j = i; j < n; j++) {
                c[i][j] = a[i][j];
                c[j][i] = a[i][j];
            }
        }
        return c;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            double[] ci = c[i];
            for (int k = 0; k < n; k++) {
                double aik = a[i][k];
                if (aik == 0.0) {
                    continue;
                }
                double[] bk = b[k];
                for (int j = 0; j < n; j++) {
                    ci[j] += aik * bk[j];
                }
            }
        }
        return c;
    }

    /** Rotates {@code a} (symmetric, overwritten) to diagonal form, accumulating into {@code v}. */
    private static Result rotate(double[][] a, double[][] v) {
        int n = a.length;
        int sweeps = 0;
        boolean rotated = true;
        while (rotated) {
            if (sweeps == MAX_SWEEPS) {
                throw new ArithmeticException("Jacobi eigendecomposition did not converge in " + MAX_SWEEPS + " sweeps (matrix contains NaN or infinity?)");
            }
            sweeps++;
            rotated = false;
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p][q];
                    double app = a[p][p];
                    double aqq = a[q][q];
                    if (apq == 0.0 || Math.abs(apq) <= EPS * Math.sqrt(Math.abs(app * aqq))) {
                        continue;
                    }
                    rotated = true;
                    // the rotation angle that zeroes a_pq; t = tan(theta), the smaller root
                    double tau = (aqq - app) / (2.0 * apq);
                    double t = Math.signum(tau) / (Math.abs(tau) + Math.sqrt(1.0 + tau * tau));
                    if (tau == 0.0) {
                        t = 1.0;
                    }
                    double c = 1.0 / Math.sqrt(1.0 + t * t);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double[] ak = a[k];
                        double akp = ak[p];
                        double akq = ak[q];
                        ak[p] = c * akp - s * akq;
                        ak[q] = s * akp + c * akq;
                    }
                    double[] rowP = a[p];
                    double[] rowQ = a[q];
                    for (int k = 0; k < n; k++) {
                        double apk = rowP[k];
                        double aqk = rowQ[k];
                        rowP[k] = c * apk - s * aqk;
                        rowQ[k] = s * apk + c * aqk;
                    }
                    rowP[q] = 0.0;
                    rowQ[p] = 0.0;
                    for (int k = 0; k < n; k++) {
                        double[] vk = v[k];
                        double vkp = vk[p];
                        double vkq = vk[q];
                        vk[p] = c * vkp - s * vkq;
                        vk[q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = a[i][i];
        }
        return new Result(values, v, sweeps);
    }
}
