package io.worldgate.plugin.dreamer;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;

/**
 * DreamerV3's open-loop video prediction as one video: frame {@code t} shows, for each of
 * {@code rows} replayed sequences side by side, three tiles stacked top to bottom: the real frame,
 * the model's (decoded posterior for the context steps, then decoded imagination from the replayed
 * actions alone), and the error {@code (model - real + 1) / 2} (grey where they agree).
 */
final class OpenLoopVideo {
    /** Frames per second the video is played at. */
    static final double FPS = 10;

    private OpenLoopVideo() {}

    /**
     * @param truth {@code [rows, T, H, W, C]} in [0, 1], row-major
     * @param model the same shape
     * @param channels {@code C}: 3 (RGB) or 1 (grey, drawn as RGB)
     * @return uint8 {@code [T, 3 H, rows W, 3]}
     */
    static Tensor frames(float[] truth, float[] model, int rows, int steps, int height, int width, int channels) {
        int frameH = 3 * height;
        int frameW = rows * width;
        byte[] rgb = new byte[steps * frameH * frameW * 3];
        int tile = height * width * channels;
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < steps; t++) {
                int base = (r * steps + t) * tile;
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int out = ((t * frameH + y) * frameW + r * width + x) * 3;
                        for (int c = 0; c < 3; c++) {
                            int src = base + (y * width + x) * channels + Math.min(c, channels - 1);
                            float real = truth[src];
                            float pred = model[src];
                            rgb[out + c] = level(real);
                            rgb[out + height * frameW * 3 + c] = level(pred);
                            rgb[out + 2 * height * frameW * 3 + c] = level((pred - real + 1) / 2);
                        }
                    }
                }
            }
        }
        Tensor video = Tensor.allocate(DType.UINT8, steps, frameH, frameW, 3);
        video.buffer().put(rgb);
        return video;
    }

    private static byte level(float v) {
        return (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
    }
}
