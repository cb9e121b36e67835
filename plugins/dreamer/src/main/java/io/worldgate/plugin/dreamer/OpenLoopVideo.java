package io.worldgate.plugin.dreamer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * DreamerV3's open-loop video prediction as one PNG grid: for each of {@code rows} replayed
 * sequences, three rows of frames left to right in time: the real frames, the model's (decoded
 * posterior for the context steps, then decoded imagination from the replayed actions alone), and
 * the error {@code (model - real + 1) / 2} (grey where they agree).
 */
final class OpenLoopVideo {
    private OpenLoopVideo() {}

    /**
     * @param truth {@code [rows, T, H, W, C]} in [0, 1], row-major
     * @param model the same shape
     * @param channels {@code C}: 3 (RGB) or 1 (grey, drawn as RGB)
     */
    static void write(Path file, float[] truth, float[] model, int rows, int steps, int height, int width, int channels)
            throws IOException {
        int gridW = steps * width;
        int gridH = rows * 3 * height;
        byte[] rgb = new byte[gridW * gridH * 3];
        int frame = height * width * channels;
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < steps; t++) {
                int base = (r * steps + t) * frame;
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        for (int c = 0; c < 3; c++) {
                            int src = base + (y * width + x) * channels + Math.min(c, channels - 1);
                            float real = truth[src];
                            float pred = model[src];
                            put(rgb, gridW, (r * 3) * height + y, t * width + x, c, real);
                            put(rgb, gridW, (r * 3 + 1) * height + y, t * width + x, c, pred);
                            put(rgb, gridW, (r * 3 + 2) * height + y, t * width + x, c, (pred - real + 1) / 2);
                        }
                    }
                }
            }
        }
        Png.write(file, gridW, gridH, rgb);
    }

    private static void put(byte[] rgb, int gridW, int y, int x, int c, float v) {
        int value = Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
        rgb[(y * gridW + x) * 3 + c] = (byte) value;
    }
}
