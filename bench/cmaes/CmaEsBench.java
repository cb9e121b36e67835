import io.worldgate.runtime.evolve.CmaEs;
import io.worldgate.runtime.evolve.CmaEsSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.function.ToDoubleFunction;

/**
 * The Java half of bench/cmaes/run.sh: evaluations to f < 1e-8 of io.worldgate.runtime.evolve.CmaEs
 * on the standard functions, one CSV row per (function, dimension, seed), and the time of one
 * generation at World Models' size (n = 867, lambda = 64).
 *
 *   java CmaEsBench OUT.csv SEEDS
 */
public final class CmaEsBench {
    static double sphere(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v * v;
        }
        return s;
    }

    static double ellipsoid(double[] x) {
        int n = x.length;
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.pow(1e6, i / (double) (n - 1)) * x[i] * x[i];
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

    /** Evaluations at the end of the first generation whose best is below 1e-8, or -1 if the run stopped first. */
    static long evaluationsTo(CmaEs es, ToDoubleFunction<double[]> f) {
        while (!es.shouldStop()) {
            double[][] xs = es.ask();
            double[] fs = new double[xs.length];
            double best = Double.POSITIVE_INFINITY;
            for (int k = 0; k < xs.length; k++) {
                fs[k] = f.applyAsDouble(xs[k]);
                best = Math.min(best, fs[k]);
            }
            es.tell(xs, fs);
            if (best < 1e-8) {
                return es.evaluations();
            }
        }
        return -1;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        int seeds = Integer.parseInt(args[1]);
        String[] functions = {"sphere", "ellipsoid", "rosenbrock"};
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            w.println("impl,function,dim,seed,evaluations,seconds");
            for (int dim : new int[] {10, 30}) {
                for (String name : functions) {
                    ToDoubleFunction<double[]> f = switch (name) {
                        case "sphere" -> CmaEsBench::sphere;
                        case "ellipsoid" -> CmaEsBench::ellipsoid;
                        default -> CmaEsBench::rosenbrock;
                    };
                    double[] x0 = new double[dim];
                    Arrays.fill(x0, name.equals("rosenbrock") ? 0.0 : 1.0);
                    for (int seed = 1; seed <= seeds; seed++) {
                        long t0 = System.nanoTime();
                        long evals = evaluationsTo(new CmaEs(CmaEsSettings.of(x0, 0.5, seed)), f);
                        double s = (System.nanoTime() - t0) / 1e9;
                        w.printf("java,%s,%d,%d,%d,%.4f%n", name, dim, seed, evals, s);
                        System.out.printf("java %-10s n=%-3d seed=%-2d evaluations=%d%n", name, dim, seed, evals);
                    }
                }
            }
            // time per generation at World Models' controller size; fitness is random, so this is
            // the algorithm's own cost (sampling, update, amortised eigendecomposition)
            CmaEs es = new CmaEs(CmaEsSettings.of(new double[867], 0.1, 1).withPopulationSize(64));
            Random r = new Random(1);
            int generations = 30;
            long t0 = System.nanoTime();
            for (int g = 0; g < generations; g++) {
                double[][] xs = es.ask();
                double[] fs = new double[xs.length];
                for (int k = 0; k < fs.length; k++) {
                    fs[k] = r.nextDouble();
                }
                es.tell(xs, fs);
            }
            double perGeneration = (System.nanoTime() - t0) / 1e9 / generations;
            w.printf("java,generation-time,867,1,%d,%.4f%n", es.evaluations(), perGeneration);
            System.out.printf("java n=867 lambda=64: %.3f s per generation (mean of %d)%n", perGeneration, generations);
        }
    }
}
