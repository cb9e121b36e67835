package io.worldgate.gateway.bridge.internal.python;

import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.fast;
import static io.worldgate.gateway.bridge.internal.python.BridgeTestSupport.randomActions;
import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.EnvSpec;
import io.worldgate.api.env.StepBatch;
import io.worldgate.api.env.VectorEnv;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Same seed and same actions give the same observations and rewards through the gateway, in every family. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SeedingTest {

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    /** Every observation byte and reward of a short rollout of {@code n} envs over {@code workers} workers. */
    private static byte[] rollout(String id, long seed, int steps, Transport transport, int workers, int n) {
        ByteArrayOutputStream trace = new ByteArrayOutputStream();
        try (VectorEnv env = EnvRegistry.withBuiltins(fast(workers, transport)).create(id, n, Map.of())) {
            SplittableRandom rng = new SplittableRandom(42);
            StepBatch first = env.reset(seed);
            if (env.spec().observationSpace().has("image")) {
                BoxSpace image = (BoxSpace) env.spec().observationSpace().get("image");
                assertThat(image.dtype()).isEqualTo(DType.UINT8);
                assertThat(image.shape()).containsExactly(64, 64, 3);
                Tensor frames = first.observations().get("image");
                assertThat(frames.shape()).containsExactly(n, 64, 64, 3);
                double sum = 0;
                for (long i = 0; i < frames.numElements(); i++) {
                    sum += frames.getDouble(i);
                }
                assertThat(sum).as("rendered frames, not zeros").isGreaterThan(0);
            }
            record(trace, first);
            for (int t = 0; t < steps; t++) {
                record(trace, env.step(randomActions(env.spec(), rng)));
            }
        }
        return trace.toByteArray();
    }

    private static void record(ByteArrayOutputStream out, StepBatch b) {
        for (String name : b.observations().names()) {
            ByteBuffer buf = b.observations().get(name).buffer();
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            out.writeBytes(bytes);
        }
        for (float r : b.rewards()) {
            int bits = Float.floatToIntBits(r);
            out.write(bits);
            out.write(bits >> 8);
            out.write(bits >> 16);
            out.write(bits >> 24);
        }
    }

    private static void assertReproducible(String id, int steps, Transport transport, int workers, int n, boolean seedMatters) {
        byte[] a = rollout(id, 5, steps, transport, workers, n);
        byte[] b = rollout(id, 5, steps, transport, workers, n);
        assertThat(a).as(id + ": same seed, same actions").isEqualTo(b);
        if (seedMatters) {
            assertThat(rollout(id, 6, steps, transport, workers, n)).as(id + ": another seed").isNotEqualTo(a);
        }
    }

    @Test
    void dmcCartpoleSwingupPixels() {
        assertReproducible("dmc:cartpole-swingup", 5, Transport.GRPC_SHM, 1, 2, true);
    }

    @Test
    void atariPong() {
        assertReproducible("atari:Pong", 5, Transport.GRPC, 1, 1, false);
    }

    @Test
    void metaworldReach() {
        assertReproducible("metaworld:reach-v3", 3, Transport.GRPC_SHM, 1, 1, false);
    }

    private static EnvSpec spec(String id) {
        try (VectorEnv env = EnvRegistry.withBuiltins(fast(1, Transport.GRPC)).create(id, 1, Map.of())) {
            return env.spec();
        }
    }

    @Test
    void gymCarRacingPixels() {
        EnvSpec spec = spec("gym:CarRacing-v3");
        assertThat(spec.observationSpace().spaces()).containsOnlyKeys("image");
        assertThat(((BoxSpace) spec.actionSpace()).shape()).containsExactly(3);
        assertReproducible("gym:CarRacing-v3", 10, Transport.GRPC_SHM, 1, 2, true);
    }

    @Test
    void doomTakeCover() {
        EnvSpec spec = spec("doom:TakeCover");
        assertThat(spec.observationSpace().spaces()).containsOnlyKeys("image");
        assertThat(((DiscreteSpace) spec.actionSpace()).n()).isEqualTo(3);
        assertReproducible("doom:TakeCover", 40, Transport.GRPC, 1, 2, true);
    }

    @Test
    void gymCartPole() {
        assertReproducible("gym:CartPole-v1", 20, Transport.PY4J, 2, 2, true);
    }
}
