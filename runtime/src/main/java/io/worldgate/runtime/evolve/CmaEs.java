package io.worldgate.runtime.evolve;

import io.worldgate.api.agent.IncompatibleCheckpointException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The (mu/mu_w, lambda)-CMA-ES of Hansen's tutorial ("The CMA Evolution Strategy: A Tutorial",
 * 2016, its default strategy parameters, with the active covariance update by negative weights for
 * the worse half, as pycma does by default), in ask/tell form. It <b>minimises</b>: a caller that
 * maximises (World Models maximises episode return) tells the negated values.
 *
 * <pre>{@code
 * CmaEs es = new CmaEs(CmaEsSettings.of(new double[867], 0.1, seed).withPopulationSize(64));
 * while (!es.shouldStop()) {
 *     double[][] candidates = es.ask();              // lambda candidates, evaluate them anywhere
 *     double[] fitness = evaluateInParallel(candidates);
 *     es.tell(candidates, fitness);                  // lower is better
 * }
 * }</pre>
 *
 * <p>One generation: candidates {@code x_k = m + sigma B D z_k}, {@code z_k ~ N(0, I)}; sorted by
 * fitness, the best mu = lambda/2 move the mean with log-linear weights; the cumulative paths
 * {@code p_sigma} (conjugate) and {@code p_c} drive the step size (CSA) and the rank-one update, the
 * population the rank-mu update (positive weights for the better half, negative ones, rescaled
 * by the Mahalanobis norm, for the worse half). {@code C = B D^2 B^T} is decomposed again only
 * every {@code lambda / ((c1 + c_mu) n 10)} evaluations, which keeps the cost per generation at
 * O(lambda n^2) plus an O(n^3) decomposition every few generations (every third at n = 867,
 * lambda = 64: 0.16 s per generation in all, bench/results/cmaes.md).
 *
 * <p>{@link #ask()} asked twice without {@link #tell} gives the same candidates. {@link #save}
 * writes the whole state; a run loaded from it continues exactly as the original would, even if
 * saved between ask and tell (the next ask gives the same candidates again). Not thread-safe: one
 * thread asks and tells; the evaluation in between may use any number.
 */
public final class CmaEs {
    private static final int MAGIC = 0x57474345; // "WGCE"
    private static final int FORMAT = 1;
    private static final double MAX_CONDITION = 1e14;
    private static final int MAX_CHECKPOINT_DIMENSION = 20_000;

    private final CmaEsSettings settings;
    private final int n;
    private final int lambda;
    private final int mu;
    /** lambda weights, sorted from the best candidate's to the worst's; the first mu sum to 1. */
    private final double[] weights;
    private final double weightSum;
    private final double muEff;
    private final double cSigma;
    private final double dSigma;
    private final double cc;
    private final double c1;
    private final double cMu;
    private final double chiN;
    private final int historyLength;

    private final double[] mean;
    private double sigma;
    private final double[] pSigma;
    private final double[] pc;
    private final double[][] c;
    private double[][] b;
    private double[] d;
    private long generation;
    private long evaluations;
    private long evaluationsAtEigen;
    private NormalSource random;
    private NormalSource randomAtGenerationStart;
    private double[][] pending;
    private double bestFitness = Double.POSITIVE_INFINITY;
    private double[] bestCandidate;
    /** Best fitness of the most recent generations, oldest first, at most historyLength. */
    private final double[] history;
    private int historyCount;
    private double lastGenerationRange = Double.POSITIVE_INFINITY;

    public CmaEs(CmaEsSettings settings) {
        this.settings = settings;
        this.n = settings.dimension();
        this.lambda = settings.populationSize();
        this.mu = lambda / 2;
        this.weights = new double[lambda];
        double[] raw = new double[lambda];
        double positiveSum = 0;
        double positiveSquares = 0;
        double negativeSum = 0;
        double negativeSquares = 0;
        for (int i = 0; i < lambda; i++) {
            raw[i] = Math.log((lambda + 1) / 2.0) - Math.log(i + 1);
            if (i < mu) {
                positiveSum += raw[i];
                positiveSquares += raw[i] * raw[i];
            } else {
                negativeSum += raw[i];
                negativeSquares += raw[i] * raw[i];
            }
        }
        this.muEff = positiveSum * positiveSum / positiveSquares;
        double muEffNegative = negativeSquares > 0 ? negativeSum * negativeSum / negativeSquares : 0;
        this.cSigma = (muEff + 2) / (n + muEff + 5);
        this.dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (n + 1)) - 1) + cSigma;
        this.cc = (4 + muEff / n) / (n + 4 + 2 * muEff / n);
        double alphaCov = 2;
        this.c1 = alphaCov / ((n + 1.3) * (n + 1.3) + muEff);
        this.cMu = Math.min(1 - c1, alphaCov * (muEff - 2 + 1 / muEff) / ((n + 2) * (n + 2) + alphaCov * muEff / 2));
        // the negative weights' total: bounded so that C stays positive definite
        double alphaMuNeg = 1 + c1 / cMu;
        double alphaMuEffNeg = 1 + 2 * muEffNegative / (muEff + 2);
        double alphaPosDefNeg = (1 - c1 - cMu) / (n * cMu);
        double negativeScale = Math.min(alphaMuNeg, Math.min(alphaMuEffNeg, alphaPosDefNeg));
        double sum = 0;
        for (int i = 0; i < lambda; i++) {
            weights[i] = i < mu ? raw[i] / positiveSum : (negativeSum == 0 || cMu == 0 ? 0 : raw[i] * negativeScale / -negativeSum);
            sum += weights[i];
        }
        this.weightSum = sum;
        this.chiN = Math.sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));
        this.historyLength = 10 + (int) Math.ceil(30.0 * n / lambda);

        this.mean = settings.mean0();
        this.sigma = settings.sigma0();
        this.pSigma = new double[n];
        this.pc = new double[n];
        this.c = identity(n);
        this.b = identity(n);
        this.d = new double[n];
        Arrays.fill(d, 1.0);
        this.random = new NormalSource(settings.seed());
        this.history = new double[historyLength];
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1.0;
        }
        return m;
    }

    /**
     * The candidates of the current generation, {@link CmaEsSettings#populationSize()} arrays of
     * {@link CmaEsSettings#dimension()} values each, fresh copies the caller may keep. Asking again
     * before {@link #tell} gives the same candidates.
     */
    public double[][] ask() {
        if (pending == null) {
            randomAtGenerationStart = random.copy();
            pending = new double[lambda][n];
            double[] scaled = new double[n];
            for (int k = 0; k < lambda; k++) {
                for (int i = 0; i < n; i++) {
                    scaled[i] = d[i] * random.nextGaussian();
                }
                double[] x = pending[k];
                for (int i = 0; i < n; i++) {
                    double[] bi = b[i];
                    double y = 0;
                    for (int j = 0; j < n; j++) {
                        y += bi[j] * scaled[j];
                    }
                    x[i] = mean[i] + sigma * y;
                }
            }
        }
        double[][] copy = new double[lambda][];
        for (int k = 0; k < lambda; k++) {
            copy[k] = pending[k].clone();
        }
        return copy;
    }

    /**
     * Ends the generation: {@code fitness[k]} is the value (lower is better) of
     * {@code candidates[k]}. The candidates are usually those {@link #ask()} gave, in any order;
     * they may also be changed ones (repaired into bounds, say), which then count as sampled.
     *
     * @throws IllegalStateException if nothing was asked since the last tell
     * @throws IllegalArgumentException if the counts or lengths are not those of the settings, a
     *     candidate holds a value that is not finite, or a fitness is NaN (infinity is allowed: a
     *     candidate that failed)
     */
    public void tell(double[][] candidates, double[] fitness) {
        if (pending == null) {
            throw new IllegalStateException("tell() without ask(): generation " + generation + " has no candidates out");
        }
        checkTell(candidates, fitness);
        Integer[] order = new Integer[lambda];
        for (int k = 0; k < lambda; k++) {
            order[k] = k;
        }
        Arrays.sort(order, (p, q) -> Double.compare(fitness[p], fitness[q]));

        double[][] y = new double[lambda][n];
        for (int r = 0; r < lambda; r++) {
            double[] x = candidates[order[r]];
            for (int i = 0; i < n; i++) {
                y[r][i] = (x[i] - mean[i]) / sigma;
            }
        }
        double[] yw = new double[n];
        for (int r = 0; r < mu; r++) {
            for (int i = 0; i < n; i++) {
                yw[i] += weights[r] * y[r][i];
            }
        }
        for (int i = 0; i < n; i++) {
            mean[i] += sigma * yw[i];
        }

        double[] whitened = whiten(yw);
        double psFactor = Math.sqrt(cSigma * (2 - cSigma) * muEff);
        double psNormSq = 0;
        for (int i = 0; i < n; i++) {
            pSigma[i] = (1 - cSigma) * pSigma[i] + psFactor * whitened[i];
            psNormSq += pSigma[i] * pSigma[i];
        }
        double psNorm = Math.sqrt(psNormSq);
        long g = generation + 1;
        boolean hSigma = psNorm / Math.sqrt(1 - Math.pow(1 - cSigma, 2.0 * g)) < (1.4 + 2.0 / (n + 1)) * chiN;
        double pcFactor = hSigma ? Math.sqrt(cc * (2 - cc) * muEff) : 0;
        for (int i = 0; i < n; i++) {
            pc[i] = (1 - cc) * pc[i] + pcFactor * yw[i];
        }

        updateCovariance(y, hSigma);
        sigma *= Math.exp(Math.min(1.0, (cSigma / dSigma) * (psNorm / chiN - 1)));

        generation = g;
        evaluations += lambda;
        recordFitness(candidates[order[0]], fitness[order[0]], fitness[order[lambda - 1]] - fitness[order[0]]);
        if (evaluations - evaluationsAtEigen > lambda / ((c1 + cMu) * n * 10)) {
            decompose();
        }
        pending = null;
    }

    private void checkTell(double[][] candidates, double[] fitness) {
        if (candidates == null || fitness == null) {
            throw new IllegalArgumentException("tell() needs the candidates and their fitness, got " + (candidates == null ? "null candidates" : "null fitness"));
        }
        if (candidates.length != lambda || fitness.length != lambda) {
            throw new IllegalArgumentException("tell() needs " + lambda + " candidates and " + lambda + " fitness values (the population size), got "
                    + candidates.length + " and " + fitness.length);
        }
        for (int k = 0; k < lambda; k++) {
            if (candidates[k] == null || candidates[k].length != n) {
                throw new IllegalArgumentException("candidate " + k + " has " + (candidates[k] == null ? "no" : candidates[k].length) + " values, expected " + n);
            }
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(candidates[k][i])) {
                    throw new IllegalArgumentException("candidate " + k + " value " + i + " is " + candidates[k][i] + "; candidates must be finite");
                }
            }
            if (Double.isNaN(fitness[k])) {
                throw new IllegalArgumentException("fitness " + k + " is NaN; tell +Infinity for a candidate that could not be evaluated");
            }
        }
    }

    /** {@code B^T v}: {@code v} in the eigenbasis of C. */
    private double[] eigenCoordinates(double[] v) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            double[] bi = b[i];
            double vi = v[i];
            for (int j = 0; j < n; j++) {
                t[j] += bi[j] * vi;
            }
        }
        return t;
    }

    /** {@code C^{-1/2} v = B D^{-1} B^T v}. */
    private double[] whiten(double[] v) {
        double[] t = eigenCoordinates(v);
        for (int j = 0; j < n; j++) {
            t[j] /= d[j];
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[] bi = b[i];
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += bi[j] * t[j];
            }
            out[i] = s;
        }
        return out;
    }

    /** {@code ||D^{-1} B^T v||^2}, the squared Mahalanobis norm of v under C. */
    private double mahalanobisSquared(double[] v) {
        double[] t = eigenCoordinates(v);
        double s = 0;
        for (int j = 0; j < n; j++) {
            double u = t[j] / d[j];
            s += u * u;
        }
        return s;
    }

    private void updateCovariance(double[][] y, boolean hSigma) {
        double delta = hSigma ? 0 : cc * (2 - cc);
        double decay = 1 + c1 * delta - c1 - cMu * weightSum;
        double[] rankMuWeights = new double[lambda];
        for (int r = 0; r < lambda; r++) {
            double w = weights[r];
            if (w < 0) {
                double m2 = mahalanobisSquared(y[r]);
                w *= m2 > 0 ? n / m2 : 0;
            }
            rankMuWeights[r] = cMu * w;
        }
        for (int i = 0; i < n; i++) {
            double[] ci = c[i];
            for (int j = i; j < n; j++) {
                ci[j] = decay * ci[j] + c1 * pc[i] * pc[j];
            }
        }
        for (int r = 0; r < lambda; r++) {
            double w = rankMuWeights[r];
            if (w == 0) {
                continue;
            }
            double[] yr = y[r];
            for (int i = 0; i < n; i++) {
                double wy = w * yr[i];
                double[] ci = c[i];
                for (int j = i; j < n; j++) {
                    ci[j] += wy * yr[j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                c[i][j] = c[j][i];
            }
        }
    }

    private void decompose() {
        SymmetricEigen.Result eigen = SymmetricEigen.decompose(c);
        double[] values = eigen.values();
        for (int i = 0; i < n; i++) {
            // rounding can leave a tiny negative eigenvalue; CONDITION stops the run long before
            d[i] = Math.sqrt(Math.max(values[i], Double.MIN_NORMAL));
        }
        b = eigen.vectors();
        evaluationsAtEigen = evaluations;
    }

    private void recordFitness(double[] best, double fitness, double range) {
        if (fitness < bestFitness || bestCandidate == null) {
            bestFitness = fitness;
            bestCandidate = best.clone();
        }
        if (historyCount == historyLength) {
            System.arraycopy(history, 1, history, 0, historyLength - 1);
            historyCount--;
        }
        history[historyCount++] = fitness;
        lastGenerationRange = range;
    }

    /** Why the run should stop now; empty while it should go on. */
    public Set<StopReason> stopReasons() {
        EnumSet<StopReason> reasons = EnumSet.noneOf(StopReason.class);
        if (generation >= settings.maxIterations()) {
            reasons.add(StopReason.MAX_ITERATIONS);
        }
        if (historyCount == historyLength && lastGenerationRange < settings.tolFun()) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < historyCount; i++) {
                lo = Math.min(lo, history[i]);
                hi = Math.max(hi, history[i]);
            }
            if (hi - lo < settings.tolFun()) {
                reasons.add(StopReason.TOL_FUN);
            }
        }
        if (generation > 0) {
            boolean small = true;
            for (int i = 0; i < n && small; i++) {
                small = sigma * Math.max(Math.abs(pc[i]), Math.sqrt(c[i][i])) < settings.tolX();
            }
            if (small) {
                reasons.add(StopReason.TOL_X);
            }
        }
        if (axisRatio() * axisRatio() > MAX_CONDITION) {
            reasons.add(StopReason.CONDITION);
        }
        return Collections.unmodifiableSet(reasons);
    }

    public boolean shouldStop() {
        return !stopReasons().isEmpty();
    }

    public CmaEsSettings settings() {
        return settings;
    }

    public int dimension() {
        return n;
    }

    public int populationSize() {
        return lambda;
    }

    /** Generations told so far. */
    public long generation() {
        return generation;
    }

    /** Candidates told so far: {@code generation() * populationSize()}. */
    public long evaluations() {
        return evaluations;
    }

    public double sigma() {
        return sigma;
    }

    /** The distribution's mean, a copy: the best estimate of the optimum. */
    public double[] mean() {
        return mean.clone();
    }

    /** The lowest fitness told so far, +Infinity before the first tell. */
    public double bestFitness() {
        return bestFitness;
    }

    /** The candidate with {@link #bestFitness()}, a copy; empty before the first tell. */
    public Optional<double[]> bestCandidate() {
        return Optional.ofNullable(bestCandidate).map(double[]::clone);
    }

    /** Ratio of the longest to the shortest principal axis of the distribution, {@code max(D)/min(D)}. */
    public double axisRatio() {
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double v : d) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return hi / lo;
    }

    // ---- checkpoints ----

    /** Writes the whole state to {@code path}, replacing it only once written whole. */
    public void save(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, path.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                    DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
                save(out);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes the whole state. Saved between {@link #ask()} and {@link #tell}, the loaded copy asks
     * the same candidates again (their fitness, if already known, can be told to it).
     */
    public void save(DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT);
        out.writeInt(n);
        writeDoubles(out, settings.mean0());
        out.writeDouble(settings.sigma0());
        out.writeInt(lambda);
        out.writeLong(settings.seed());
        out.writeDouble(settings.tolFun());
        out.writeDouble(settings.tolX());
        out.writeLong(settings.maxIterations());

        out.writeLong(generation);
        out.writeLong(evaluations);
        out.writeLong(evaluationsAtEigen);
        out.writeDouble(sigma);
        writeDoubles(out, mean);
        writeDoubles(out, pSigma);
        writeDoubles(out, pc);
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                out.writeDouble(c[i][j]);
            }
        }
        for (int i = 0; i < n; i++) {
            writeDoubles(out, b[i]);
        }
        writeDoubles(out, d);
        NormalSource r = pending != null ? randomAtGenerationStart : random;
        out.writeLong(r.state());
        out.writeBoolean(r.hasSpare());
        out.writeDouble(r.spare());
        out.writeDouble(bestFitness);
        out.writeBoolean(bestCandidate != null);
        if (bestCandidate != null) {
            writeDoubles(out, bestCandidate);
        }
        out.writeInt(historyCount);
        for (int i = 0; i < historyCount; i++) {
            out.writeDouble(history[i]);
        }
        out.writeDouble(lastGenerationRange);
    }

    public static CmaEs load(Path path) throws IOException, IncompatibleCheckpointException {
        try (InputStream is = Files.newInputStream(path);
                DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
            return load(in);
        }
    }

    /**
     * Reads a state written by {@link #save(DataOutput)}.
     *
     * @throws IncompatibleCheckpointException if the data is not a CMA-ES checkpoint of a format
     *     this class reads, or its values are inconsistent
     */
    public static CmaEs load(DataInput in) throws IOException, IncompatibleCheckpointException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IncompatibleCheckpointException("not a CMA-ES checkpoint (magic " + Integer.toHexString(magic) + ")");
        }
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IncompatibleCheckpointException("CMA-ES checkpoint format " + format + ", this version reads " + FORMAT);
        }
        int n = in.readInt();
        if (n < 1 || n > MAX_CHECKPOINT_DIMENSION) {
            // a corrupt header must not make load() allocate n^2 doubles
            throw new IncompatibleCheckpointException("CMA-ES checkpoint with dimension " + n + ", expected 1.." + MAX_CHECKPOINT_DIMENSION);
        }
        CmaEsSettings settings;
        try {
            double[] mean0 = readDoubles(in, n);
            settings = new CmaEsSettings(mean0, in.readDouble(), in.readInt(), in.readLong(), in.readDouble(), in.readDouble(), in.readLong());
        } catch (IllegalArgumentException e) {
            throw new IncompatibleCheckpointException("CMA-ES checkpoint with invalid settings: " + e.getMessage());
        }
        CmaEs es = new CmaEs(settings);
        es.generation = in.readLong();
        es.evaluations = in.readLong();
        es.evaluationsAtEigen = in.readLong();
        es.sigma = in.readDouble();
        System.arraycopy(readDoubles(in, n), 0, es.mean, 0, n);
        System.arraycopy(readDoubles(in, n), 0, es.pSigma, 0, n);
        System.arraycopy(readDoubles(in, n), 0, es.pc, 0, n);
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                es.c[i][j] = in.readDouble();
                es.c[j][i] = es.c[i][j];
            }
        }
        for (int i = 0; i < n; i++) {
            es.b[i] = readDoubles(in, n);
        }
        es.d = readDoubles(in, n);
        es.random = NormalSource.restore(in.readLong(), in.readBoolean(), in.readDouble());
        es.bestFitness = in.readDouble();
        if (in.readBoolean()) {
            es.bestCandidate = readDoubles(in, n);
        }
        int count = in.readInt();
        if (count < 0 || count > es.historyLength) {
            throw new IncompatibleCheckpointException("CMA-ES checkpoint with " + count + " history entries, at most " + es.historyLength);
        }
        for (int i = 0; i < count; i++) {
            es.history[i] = in.readDouble();
        }
        es.historyCount = count;
        es.lastGenerationRange = in.readDouble();
        if (!(es.sigma > 0) || es.generation < 0 || es.evaluations != es.generation * es.lambda) {
            throw new IncompatibleCheckpointException("CMA-ES checkpoint with inconsistent state (sigma " + es.sigma + ", generation "
                    + es.generation + ", evaluations " + es.evaluations + ")");
        }
        return es;
    }

    private static void writeDoubles(DataOutput out, double[] values) throws IOException {
        for (double v : values) {
            out.writeDouble(v);
        }
    }

    private static double[] readDoubles(DataInput in, int count) throws IOException {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.readDouble();
        }
        return values;
    }
}
