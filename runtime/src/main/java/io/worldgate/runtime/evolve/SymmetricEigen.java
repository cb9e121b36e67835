package io.worldgate.runtime.evolve;

/**
 * Eigendecomposition of a real symmetric matrix, {@code A = V diag(w) V^T} with {@code V}
 * orthogonal: Householder reduction to tridiagonal form, then the implicit symmetric QR
 * algorithm with Wilkinson shifts (Golub and Van Loan, Matrix Computations, 8.3). No
 * linear-algebra library is in the runtime bundle. The orthogonal factor is kept as rows, so that
 * every update runs along contiguous memory: 1.3 to 4 s for a dense matrix at n = 867 (World
 * Models' controller) on a shared 2-core machine, where cyclic Jacobi took 45 s.
 */
final class SymmetricEigen {
    private static final double EPS = 0x1.0p-52;

    /** Eigenvalues (unsorted) and eigenvectors as the columns of {@code vectors}. */
    record Result(double[] values, double[][] vectors) {}

    private SymmetricEigen() {}

    /** Decomposes {@code a} (read only; its upper triangle is used). */
    static Result decompose(double[][] a) {
        int n = a.length;
        double[][] t = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException("matrix is not square: row " + i + " has " + a[i].length + " columns, expected " + n);
            }
            for (int j = i; j < n; j++) {
                t[i][j] = a[i][j];
                t[j][i] = a[i][j];
            }
        }
        // qt holds Q^T: A = Q T Q^T, row k of qt is column k of Q
        double[][] qt = new double[n][n];
        for (int i = 0; i < n; i++) {
            qt[i][i] = 1.0;
        }
        double[] d = new double[n];
        double[] e = new double[Math.max(n - 1, 0)];
        tridiagonalise(t, qt, d, e);
        implicitQr(d, e, qt);
        double[][] vectors = new double[n][n];
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < n; i++) {
                vectors[i][k] = qt[k][i];
            }
        }
        return new Result(d, vectors);
    }

    /**
     * Reflects {@code a} (overwritten) to tridiagonal form with Householder reflections
     * {@code H_k = I - beta v v^T} on indices {@code k+1..n-1}, accumulating them into
     * {@code qt}; the diagonal goes to {@code d}, the off-diagonal to {@code e}.
     */
    private static void tridiagonalise(double[][] a, double[][] qt, double[] d, double[] e) {
        int n = a.length;
        double[] v = new double[n];
        double[] p = new double[n];
        double[] u = new double[n];
        for (int k = 0; k < n - 2; k++) {
            int m = n - k - 1; // length of the part below the diagonal
            double norm = 0;
            for (int i = 0; i < m; i++) {
                v[i] = a[k][k + 1 + i];
                norm += v[i] * v[i];
            }
            norm = Math.sqrt(norm);
            if (norm == 0.0) {
                continue;
            }
            double alpha = v[0] > 0 ? -norm : norm;
            v[0] -= alpha;
            double vv = 0;
            for (int i = 0; i < m; i++) {
                vv += v[i] * v[i];
            }
            if (vv == 0.0) {
                continue;
            }
            double beta = 2.0 / vv;
            // p = beta A22 v, w = p - (beta p.v / 2) v, A22 -= v w^T + w v^T
            double pv = 0;
            for (int i = 0; i < m; i++) {
                double[] row = a[k + 1 + i];
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += row[k + 1 + j] * v[j];
                }
                p[i] = beta * s;
                pv += p[i] * v[i];
            }
            double half = beta * pv / 2;
            for (int i = 0; i < m; i++) {
                p[i] -= half * v[i];
            }
            for (int i = 0; i < m; i++) {
                double[] row = a[k + 1 + i];
                double vi = v[i];
                double wi = p[i];
                for (int j = 0; j < m; j++) {
                    row[k + 1 + j] -= vi * p[j] + wi * v[j];
                }
            }
            a[k][k + 1] = alpha;
            a[k + 1][k] = alpha;
            for (int i = 1; i < m; i++) {
                a[k][k + 1 + i] = 0.0;
                a[k + 1 + i][k] = 0.0;
            }
            // Q <- Q H_k, that is Q^T <- H_k Q^T on rows k+1..n-1
            java.util.Arrays.fill(u, 0.0);
            for (int i = 0; i < m; i++) {
                double vi = v[i];
                double[] row = qt[k + 1 + i];
                for (int j = 0; j < n; j++) {
                    u[j] += vi * row[j];
                }
            }
            for (int i = 0; i < m; i++) {
                double f = beta * v[i];
                double[] row = qt[k + 1 + i];
                for (int j = 0; j < n; j++) {
                    row[j] -= f * u[j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            d[i] = a[i][i];
            if (i < n - 1) {
                e[i] = a[i][i + 1];
            }
        }
    }

    /**
     * Diagonalises the tridiagonal matrix {@code (d, e)} by implicit QR steps with Wilkinson shifts,
     * chasing the bulge with Givens rotations that are also applied to the rows of {@code qt}.
     */
    private static void implicitQr(double[] d, double[] e, double[][] qt) {
        int n = d.length;
        int steps = 0;
        int maxSteps = 30 * Math.max(n, 1);
        int m = n - 1;
        while (m > 0) {
            int l = m;
            while (l > 0 && Math.abs(e[l - 1]) > EPS * (Math.abs(d[l - 1]) + Math.abs(d[l]))) {
                l--;
            }
            if (l == m) {
                e[m - 1] = 0.0;
                m--;
                continue;
            }
            if (l > 0) {
                e[l - 1] = 0.0;
            }
            if (++steps > maxSteps) {
                throw new ArithmeticException("symmetric QR did not converge in " + maxSteps + " steps (matrix contains NaN or infinity?)");
            }
            // Wilkinson shift: the eigenvalue of the trailing 2x2 block closer to d[m]
            double half = (d[m - 1] - d[m]) / 2;
            double em = e[m - 1];
            double mu = d[m] - em * em / (half + (half >= 0 ? 1 : -1) * Math.hypot(half, em));
            double x = d[l] - mu;
            double z = e[l];
            for (int k = l; k < m; k++) {
                double r = Math.hypot(x, z);
                double c = x / r;
                double s = -z / r;
                if (k > l) {
                    e[k - 1] = r;
                }
                double a = d[k];
                double b = e[k];
                double cc = d[k + 1];
                d[k] = a * c * c - 2 * b * c * s + cc * s * s;
                d[k + 1] = a * s * s + 2 * b * c * s + cc * c * c;
                e[k] = (a - cc) * c * s + b * (c * c - s * s);
                if (k < m - 1) {
                    z = -s * e[k + 1];
                    e[k + 1] = c * e[k + 1];
                }
                x = e[k];
                double[] rowK = qt[k];
                double[] rowK1 = qt[k + 1];
                for (int j = 0; j < rowK.length; j++) {
                    double qk = rowK[j];
                    double qk1 = rowK1[j];
                    rowK[j] = c * qk - s * qk1;
                    rowK1[j] = s * qk + c * qk1;
                }
            }
        }
    }
}
