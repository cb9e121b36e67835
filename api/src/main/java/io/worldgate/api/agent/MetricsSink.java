package io.worldgate.api.agent;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where an agent reports what it wants users to see; the host stamps each value with the run's step.
 *
 * <p>Images and videos are tensors, not files, so that the host can put them where users look
 * (TensorBoard's image tab, the run directory) without knowing the agent's formats. The host reads
 * the tensor during the call and keeps no reference to it, so the agent may reuse it afterwards.
 * Both methods have defaults that check their arguments and then drop them, so sinks written for
 * version 1.0 of this package still compile; the run's host overrides them.
 */
public interface MetricsSink {

    /** A scalar such as {@code loss/reward} or {@code actor/entropy}. */
    void scalar(String name, double value);

    /**
     * A file the agent wrote, announced to the user where it lies. Pictures are better sent as
     * {@link #image} or {@link #video}, which the host also shows in TensorBoard.
     */
    void file(String name, Path file);

    /**
     * An image, uint8 {@code [H, W, 3]} (RGB) or {@code [H, W, 1]} (grey), rows top to bottom.
     *
     * @throws IllegalArgumentException if the tag is blank or the tensor is not such an image
     * @since 1.1
     */
    default void image(String tag, Tensor rgb) {
        requireImage(tag, rgb);
    }

    /**
     * A video, uint8 {@code [T, H, W, 3]} or {@code [T, H, W, 1]}, played at {@code fps} frames per
     * second. A host may keep only the first frames of a very long video (the run's host keeps what
     * fits in 500 frames and 64 MiB).
     *
     * @throws IllegalArgumentException if the tag is blank, the tensor is not such a video or
     *     {@code fps} is not a positive finite number
     * @since 1.1
     */
    default void video(String tag, Tensor frames, double fps) {
        requireVideo(tag, frames, fps);
    }

    /**
     * Checks the arguments of {@link #image}, as every sink does.
     *
     * @throws IllegalArgumentException naming what is wrong
     * @since 1.1
     */
    static void requireImage(String tag, Tensor rgb) {
        requireTag(tag);
        if (rgb == null) {
            throw new IllegalArgumentException("image '" + tag + "' is null");
        }
        requirePixels("image '" + tag + "'", rgb, 3, "[H, W, C]");
    }

    /**
     * Checks the arguments of {@link #video}, as every sink does.
     *
     * @throws IllegalArgumentException naming what is wrong
     * @since 1.1
     */
    static void requireVideo(String tag, Tensor frames, double fps) {
        requireTag(tag);
        if (frames == null) {
            throw new IllegalArgumentException("video '" + tag + "' is null");
        }
        requirePixels("video '" + tag + "'", frames, 4, "[T, H, W, C]");
        if (!(fps > 0) || Double.isInfinite(fps)) {
            throw new IllegalArgumentException("video '" + tag + "' needs a positive finite fps, not " + fps);
        }
    }

    private static void requireTag(String tag) {
        if (tag == null || tag.isBlank()) {
            throw new IllegalArgumentException("an image or video needs a tag, not '" + tag + "'");
        }
    }

    private static void requirePixels(String what, Tensor t, int rank, String layout) {
        if (t.dtype() != DType.UINT8) {
            throw new IllegalArgumentException(what + " must be uint8, not " + t.dtype());
        }
        int[] shape = t.shape();
        if (shape.length != rank) {
            throw new IllegalArgumentException(what + " must have shape " + layout + ", not " + Arrays.toString(shape));
        }
        for (int d : shape) {
            if (d < 1) {
                throw new IllegalArgumentException(what + " is empty: shape " + Arrays.toString(shape));
            }
        }
        int channels = shape[rank - 1];
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(what + " must have 1 (grey) or 3 (RGB) channels, not " + channels
                    + " (shape " + Arrays.toString(shape) + ")");
        }
    }
}
