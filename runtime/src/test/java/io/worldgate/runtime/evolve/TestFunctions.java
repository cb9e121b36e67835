package io.worldgate.runtime.evolve;

import java.util.function.ToDoubleFunction;

/** The standard test functions (as in pycma's {@code cma.ff}), and a loop that runs CMA-ES on them. */
final class TestFunctions {
    private TestFunctions() {}

    static double sphere(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return s;
    }

    /** Axis-parallel ellipsoid with condition number 1e6: {@code sum 1e6^(i/(n-1)) x_i^2}. */
    static double ellipsoid(double[] x) {
        int n = x.length;
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.pow(1e6, n == 1 ? 0 : i / (double) (n - 1)) * x[i] * x[i];
        }
        return s;
    }

    static double rosenbrock(double[] x) {
        double s = 0;
        for (int i = 0; i < x.length - 1; i++) {
            double a = x[i + 1] - x[i] * x[i];
            double b = 1 - x[i];
            s += 100 * a * a + b * b;
        }
        return s;
    }

    /**
     * Asks and tells until a generation's best value is below {@code target} (then returns the
     * evaluations so far, counted at the end of that generation, as pycma's {@code ftarget} does)
     * or the run stops (then returns -1).
     */
    static long evaluationsTo(CmaEs es, ToDoubleFunction<double[]> f, double target) {
        while (!es.shouldStop()) {
            double[][] xs = es.ask();
            double[] fs = new double[xs.length];
            double best = Double.POSITIVE_INFINITY;
            for (int k = 0; k < xs.length; k++) {
                fs[k] = f.applyAsDouble(xs[k]);
                best = Math.min(best, fs[k]);
            }
            es.tell(xs, fs);
            if (best < target) {
                return es.evaluations();
            }
        }
        return -1;
    }

    static double[] filled(int n, double value) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, value);
        return x;
    }
}
