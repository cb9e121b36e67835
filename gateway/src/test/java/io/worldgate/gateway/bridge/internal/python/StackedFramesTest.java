package io.worldgate.gateway.bridge.internal.python;

import static org.assertj.core.api.Assertions.assertThat;

import io.worldgate.api.env.StepBatch;
import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DictSpace;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.gateway.bridge.BridgeConfig.Transport;
import io.worldgate.gateway.bridge.EnvRegistry;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** dmc's {@code frame_stack=3} reaches the gateway as one 64x64x9 image on every transport, oldest frame first. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class StackedFramesTest {
    private static final int PIXEL_BYTES = 64 * 64;

    @BeforeAll
    static void python() {
        BridgeTestSupport.requirePython();
    }

    @Test
    void theImageHoldsTheLastThreeFramesOnEveryTransport() {
        for (Transport transport : new Transport[] {Transport.GRPC, Transport.PY4J, Transport.SHM}) {
            try (PythonVectorEnv env = (PythonVectorEnv) EnvRegistry.withBuiltins(BridgeTestSupport.fast(1, transport))
                    .create("dmc:cartpole-swingup", 1, Map.of("frame_stack", "3"))) {
                BoxSpace image = (BoxSpace) env.spec().observationSpace().get(DictSpace.IMAGE);
                assertThat(image.shape()).as(transport.toString()).containsExactly(64, 64, 9);
                byte[][] first = frames(env.reset(3));
                assertThat(first[1]).as("%s: the reset frame in every slot", transport).isEqualTo(first[0]);
                assertThat(first[2]).as(transport.toString()).isEqualTo(first[0]);
                byte[][] next = frames(env.step(Tensor.ofFloats(new float[] {1f}, 1, 1)));
                assertThat(next[0]).as("%s: the reset frame moved back", transport).isEqualTo(first[1]);
                assertThat(next[1]).as(transport.toString()).isEqualTo(first[2]);
                assertThat(Arrays.equals(next[2], first[2])).as("%s: the newest frame is the step's", transport).isFalse();
            }
        }
    }

    /** The 3 RGB frames of environment 0's image, oldest first, each as {@code H*W*3} bytes. */
    private static byte[][] frames(StepBatch batch) {
        Tensor image = batch.observations().get(DictSpace.IMAGE).batchEntry(0);
        byte[][] out = new byte[3][PIXEL_BYTES * 3];
        for (int p = 0; p < PIXEL_BYTES; p++) {
            for (int c = 0; c < 9; c++) {
                out[c / 3][p * 3 + c % 3] = (byte) image.getDouble((long) p * 9 + c);
            }
        }
        return out;
    }
}
