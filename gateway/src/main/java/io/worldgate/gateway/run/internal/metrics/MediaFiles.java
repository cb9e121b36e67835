package io.worldgate.gateway.run.internal.metrics;

import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The images and videos an agent reports, saved in the run directory as
 * {@code images/<tag>-step<N>.png} and {@code videos/<tag>-step<N>.gif}, with the tag made safe for a
 * file name ({@code dreamer/openloop} becomes {@code dreamer_openloop}). Sizes are bounded as
 * evaluation videos are, so that one call cannot fill the disk: an image of more than
 * {@link #MAX_BYTES} is refused, a video is cut to its first frames that fit in
 * {@link #MAX_VIDEO_FRAMES} and {@link #MAX_BYTES}.
 */
public final class MediaFiles {
    /** Most frames of a video kept. */
    public static final int MAX_VIDEO_FRAMES = 500;
    /** Most raw pixel bytes of an image or a video kept. */
    public static final long MAX_BYTES = 64L << 20;
    /** Longest file-name stem taken from a tag (file systems allow 255 bytes). */
    private static final int MAX_STEM = 100;

    private final Path runDir;

    public MediaFiles(Path runDir) {
        this.runDir = runDir;
    }

    /**
     * The image itself, if it fits the bound.
     *
     * @throws IllegalArgumentException if it holds more than {@link #MAX_BYTES}
     */
    public static Tensor bounded(Tensor image) {
        if (image.byteSize() > MAX_BYTES) {
            throw new IllegalArgumentException("an image of " + image.byteSize() + " bytes is over the limit of "
                    + MAX_BYTES + " bytes");
        }
        return image;
    }

    /** The video's first frames that fit the bounds: the video itself when all do, else a view of its first frames. */
    public static Tensor firstFrames(Tensor video) {
        long frameBytes = video.byteSize() / video.dim(0);
        long fit = Math.min(MAX_VIDEO_FRAMES, MAX_BYTES / Math.max(1, frameBytes));
        if (fit < 1) {
            throw new IllegalArgumentException("one frame of " + frameBytes + " bytes is over the limit of " + MAX_BYTES
                    + " bytes");
        }
        if (video.dim(0) <= fit) {
            return video;
        }
        int[] shape = video.shape();
        shape[0] = (int) fit;
        Tensor cut = Tensor.allocate(video.dtype(), shape);
        cut.buffer().put(video.buffer().limit((int) (fit * frameBytes)));
        return cut;
    }

    /** Writes {@code images/<tag>-step<N>.png}; returns its path. */
    public Path writeImage(String tag, Tensor image, long step) throws IOException {
        Path file = runDir.resolve("images").resolve(stem(tag) + "-step" + step + ".png");
        Images.writePng(Images.toImage(image), file);
        return file;
    }

    /** Writes {@code videos/<tag>-step<N>.gif}, looping at {@code fps}; returns its path. */
    public Path writeVideo(String tag, Tensor frames, double fps, long step) throws IOException {
        Path file = runDir.resolve(io.worldgate.gateway.run.RunDirectory.VIDEOS).resolve(stem(tag) + "-step" + step + ".gif");
        Images.writeAtomically(file, AnimatedGif.encodeLooping(Images.toFrames(frames), fps));
        return file;
    }

    /** The tag with every character other than a letter, digit, {@code -} or {@code _} replaced by {@code _}. */
    static String stem(String tag) {
        String safe = tag.replaceAll("[^A-Za-z0-9_-]", "_");
        return safe.length() > MAX_STEM ? safe.substring(0, MAX_STEM) : safe;
    }
}
