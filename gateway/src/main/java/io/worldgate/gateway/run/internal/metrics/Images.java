package io.worldgate.gateway.run.internal.metrics;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Tensors to images and images to PNG bytes, with {@code javax.imageio}. */
public final class Images {
    private Images() {}

    /**
     * An image of a uint8 tensor {@code [H, W, C]} with C = 1 (gray), 3 (RGB) or 4 (RGBA), or
     * {@code [H, W]} (gray). The pixels are copied.
     */
    public static BufferedImage toImage(Tensor hwc) {
        int[] shape = hwc.shape();
        if (hwc.dtype() != DType.UINT8 || (shape.length != 2 && shape.length != 3)) {
            throw new IllegalArgumentException("an image must be uint8 [H, W, C] or [H, W], not " + hwc);
        }
        int height = shape[0];
        int width = shape[1];
        int channels = shape.length == 2 ? 1 : shape[2];
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("an image needs at least one pixel, not " + hwc);
        }
        int type = switch (channels) {
            case 1 -> BufferedImage.TYPE_BYTE_GRAY;
            case 3 -> BufferedImage.TYPE_3BYTE_BGR;
            case 4 -> BufferedImage.TYPE_4BYTE_ABGR;
            default -> throw new IllegalArgumentException("an image has 1, 3 or 4 channels, not " + channels + " (" + hwc + ")");
        };
        BufferedImage image = new BufferedImage(width, height, type);
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        ByteBuffer src = hwc.buffer();
        if (channels == 1) {
            src.get(pixels);
        } else {
            // Java keeps the channels of a pixel in reverse order: BGR, ABGR.
            int n = width * height;
            for (int p = 0, o = 0; p < n; p++, o += channels) {
                for (int c = 0; c < channels; c++) {
                    pixels[o + channels - 1 - c] = src.get(o + c);
                }
            }
        }
        return image;
    }

    /** The frames of a uint8 video {@code [T, H, W, C]}, each as {@link #toImage}. */
    public static List<BufferedImage> toFrames(Tensor thwc) {
        if (thwc.rank() != 4 || thwc.dim(0) < 1) {
            throw new IllegalArgumentException("a video must be uint8 [T, H, W, C] with T >= 1, not " + thwc);
        }
        List<BufferedImage> frames = new ArrayList<>(thwc.dim(0));
        for (int t = 0; t < thwc.dim(0); t++) {
            frames.add(toImage(thwc.batchEntry(t)));
        }
        return frames;
    }

    /** Channels of a tensor image as TensorBoard's colorspace field counts them (1, 3 or 4). */
    static int channels(Tensor image) {
        int[] shape = image.shape();
        return shape.length == 2 ? 1 : shape[shape.length - 1];
    }

    /** PNG bytes of an image. */
    public static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        // Cached in memory, not in a temporary file: ImageIO's file cache adds a JVM shutdown hook,
        // which fails while the JVM shuts down, and the last learning curve is drawn then on SIGTERM.
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            if (!ImageIO.write(image, "png", stream)) {
                throw new IllegalStateException("no PNG writer for image type " + image.getType());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return out.toByteArray();
    }

    /** Writes an image as a PNG file, atomically where the file system allows. */
    public static void writePng(BufferedImage image, Path file) throws IOException {
        writeAtomically(file, png(image));
    }

    static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
