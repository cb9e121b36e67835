package io.worldgate.gateway.bridge.internal.python;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

/** Shared bits of the bridge tests: the venv, a test config, random actions. */
final class BridgeTestSupport {
    private BridgeTestSupport() {}

    /** Skips the test when the env-bridge venv has not been made (env-bridge-python/install.sh). */
    static void requirePython() {
        String p = System.getProperty(PythonLocator.PROPERTY);
        boolean ok = p != null ? Files.isExecutable(Path.of(p)) : Files.isExecutable(Path.of("../.venv/bin/python"));
        assumeTrue(ok, "the env-bridge venv is missing; run env-bridge-python/install.sh");
    }

    /** Short deadlines and backoff so that failure tests finish quickly. */
    static BridgeConfig fast(int workers, BridgeConfig.Transport transport) {
        return BridgeConfig.defaults().withWorkers(workers).withTransport(transport)
                .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(20))
                .withFailurePolicy(5, Duration.ofSeconds(60), Duration.ofMillis(50), Duration.ofMillis(400));
    }

    /** Uniform random actions for {@code spec}. */
    static Tensor randomActions(EnvSpec spec, SplittableRandom rng) {
        int n = spec.numEnvs();
        if (spec.actionSpace() instanceof DiscreteSpace d) {
            int[] a = new int[n];
            for (int i = 0; i < n; i++) {
                a[i] = rng.nextInt(d.n());
            }
            return Tensor.ofInts(a, n);
        }
        BoxSpace b = (BoxSpace) spec.actionSpace();
        int per = b.numElements();
        float[] v = new float[n * per];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < per; j++) {
                v[i * per + j] = (float) (b.low(j) + rng.nextDouble() * (b.high(j) - b.low(j)));
            }
        }
        int[] shape = new int[b.shape().length + 1];
        shape[0] = n;
        System.arraycopy(b.shape(), 0, shape, 1, b.shape().length);
        return Tensor.ofFloats(v, shape);
    }

    /** Waits up to {@code timeout} for {@code pid} to be gone; true if it is. */
    static boolean awaitGone(long pid, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!ProcessGroups.isRunning(pid)) {
                return true;
            }
            Thread.sleep(50);
        }
        return !ProcessGroups.isRunning(pid);
    }
}
