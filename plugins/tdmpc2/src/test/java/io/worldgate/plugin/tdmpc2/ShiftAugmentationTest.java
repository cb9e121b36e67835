package io.worldgate.plugin.tdmpc2;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ShiftAugmentationTest {
    private static final int N = 3;
    private static final int H = 5;
    private static final int W = 6;
    private static final int C = 2;

    private static byte[] distinctPixels() {
        byte[] b = new byte[N * H * W * C];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + 1);
        }
        return b;
    }

    private static NDArray bytes(NDManager m, byte[] b) {
        return m.create(ByteBuffer.wrap(b), new Shape(N, H, W, C), DataType.UINT8);
    }

    /** Pixel (y, x) of image n reads (clamp(y + dy), clamp(x + dx)), the shifts drawn dy then dx per image. */
    @Test
    void eachImageMovesByWholePixelsWithTheNearestEdgePixelAtTheBorder() {
        int pad = 2;
        try (NDManager m = NDManager.newBaseManager()) {
            byte[] in = distinctPixels();
            byte[] out = ShiftAugmentation.apply(bytes(m, in), pad, new SplittableRandom(9)).toByteArray();
            SplittableRandom same = new SplittableRandom(9);
            for (int n = 0; n < N; n++) {
                int dy = same.nextInt(2 * pad + 1) - pad;
                int dx = same.nextInt(2 * pad + 1) - pad;
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        int sy = Math.max(0, Math.min(H - 1, y + dy));
                        int sx = Math.max(0, Math.min(W - 1, x + dx));
                        for (int c = 0; c < C; c++) {
                            assertThat(out[((n * H + y) * W + x) * C + c]).as("image %d pixel (%d, %d, %d)", n, y, x, c)
                                    .isEqualTo(in[((n * H + sy) * W + sx) * C + c]);
                        }
                    }
                }
            }
        }
    }

    /** The host path (uint8 on the CPU) and the array path (everything else) give the same pixels. */
    @Test
    void theHostAndArrayPathsAgreeOnEveryShift() {
        int pad = 3;
        try (NDManager m = NDManager.newBaseManager()) {
            byte[] in = distinctPixels();
            for (int dy = -pad; dy <= pad; dy++) {
                for (int dx = -pad; dx <= pad; dx++) {
                    int[] ys = {dy, -dx, 0};
                    int[] xs = {dx, dy, -pad};
                    byte[] host = ShiftAugmentation.onHost(bytes(m, in), ys, xs).toByteArray();
                    byte[] arrays = ShiftAugmentation.withArrays(bytes(m, in), pad, ys, xs).toByteArray();
                    assertThat(host).as("dy %d dx %d", dy, dx).isEqualTo(arrays);
                }
            }
            // float images take the array path
            NDArray floats = bytes(m, in).toType(DataType.FLOAT32, false);
            float[] shifted = ShiftAugmentation.apply(floats, pad, new SplittableRandom(4)).toFloatArray();
            byte[] hostShifted = ShiftAugmentation.apply(bytes(m, in), pad, new SplittableRandom(4)).toByteArray();
            for (int i = 0; i < shifted.length; i++) {
                assertThat(shifted[i]).isEqualTo((float) (hostShifted[i] & 0xff));
            }
        }
    }
}
