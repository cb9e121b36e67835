package io.worldgate.gateway.run.internal.metrics;

import io.worldgate.api.tensor.Tensor;

/** Deterministic uint8 pictures for the tests. */
final class TestImages {
    private TestImages() {}

    /** {@code [h, w, c]}: red rises left to right, green top to bottom, blue is constant. */
    static Tensor gradient(int h, int w, int c) {
        byte[] px = new byte[h * w * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    int v = switch (k) {
                        case 0 -> x * 255 / Math.max(1, w - 1);
                        case 1 -> y * 255 / Math.max(1, h - 1);
                        case 2 -> 96;
                        default -> 255;
                    };
                    px[(y * w + x) * c + k] = (byte) v;
                }
            }
        }
        return Tensor.ofBytes(px, h, w, c);
    }

    /** {@code [t, h, w, 3]}: a white 6x6 square moving right over a dark blue background. */
    static Tensor movingSquare(int t, int h, int w) {
        byte[] px = new byte[t * h * w * 3];
        for (int f = 0; f < t; f++) {
            int x0 = f * (w - 6) / Math.max(1, t - 1);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = ((f * h + y) * w + x) * 3;
                    boolean in = x >= x0 && x < x0 + 6 && y >= h / 2 - 3 && y < h / 2 + 3;
                    px[o] = (byte) (in ? 255 : 10);
                    px[o + 1] = (byte) (in ? 255 : 20);
                    px[o + 2] = (byte) (in ? 255 : 90);
                }
            }
        }
        return Tensor.ofBytes(px, t, h, w, 3);
    }
}
