package io.worldgate.plugin.tdmpc2;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * DrQ's random shift, which TD-MPC2 applies to pixel inputs in training: each image of a batch
 * {@code [N, H, W, C]} moves by whole pixels, {@code (dy, dx)} drawn uniformly from
 * {@code [-pad, pad]} (first {@code dy}, then {@code dx}, image after image), the border filled with
 * the nearest edge pixel.
 *
 * <p>Two paths give the same pixels. Bytes on the CPU are moved on the host, row by row: a pixel
 * update encodes {@code 256 x 4} stacked frames (38 MB of bytes), and doing the same with array
 * operations (edge padding by concatenation, then a gather whose int64 index arrays are as large as
 * the images) took about 30% of a `1M` pixel update. Anything else (a GPU, float images) takes the
 * array path.
 */
final class ShiftAugmentation {
    private ShiftAugmentation() {}

    /** The shifted images, a new array on {@code images}' manager; {@code images} is left as it was. */
    static NDArray apply(NDArray images, int pad, SplittableRandom rng) {
        Shape s = images.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("expected images [N, H, W, C], got " + s);
        }
        int n = Math.toIntExact(s.get(0));
        int[] dy = new int[n];
        int[] dx = new int[n];
        for (int i = 0; i < n; i++) {
            dy[i] = rng.nextInt(2 * pad + 1) - pad;
            dx[i] = rng.nextInt(2 * pad + 1) - pad;
        }
        boolean onHost = images.getDataType() == DataType.UINT8 && images.getDevice().getDeviceType().equals(Device.Type.CPU);
        return onHost ? onHost(images, dy, dx) : withArrays(images, pad, dy, dx);
    }

    /** The host path, for uint8 images in host memory, with the shifts given. */
    static NDArray onHost(NDArray images, int[] dy, int[] dx) {
        Shape s = images.getShape();
        int height = Math.toIntExact(s.get(1));
        int width = Math.toIntExact(s.get(2));
        int channels = Math.toIntExact(s.get(3));
        byte[] src = images.toByteArray();
        int row = width * channels;
        int image = height * row;
        ByteBuffer out = ByteBuffer.allocateDirect(src.length);
        byte[] line = new byte[row];
        for (int n = 0; n < dy.length; n++) {
            int base = n * image;
            // the columns that come from inside the image: x + dx within [0, width)
            int from = Math.max(0, -dx[n]);
            int to = Math.min(width, width - dx[n]);
            for (int y = 0; y < height; y++) {
                int sy = Math.max(0, Math.min(height - 1, y + dy[n]));
                int srcRow = base + sy * row;
                System.arraycopy(src, srcRow + (from + dx[n]) * channels, line, from * channels, (to - from) * channels);
                for (int x = 0; x < from; x++) {
                    System.arraycopy(src, srcRow, line, x * channels, channels);
                }
                for (int x = to; x < width; x++) {
                    System.arraycopy(src, srcRow + (width - 1) * channels, line, x * channels, channels);
                }
                out.put(line);
            }
        }
        out.rewind();
        NDManager m = images.getManager();
        return m.create(out, s, DataType.UINT8);
    }

    /** The array path, for any images on any device, with the shifts given (each within {@code ±pad}). */
    static NDArray withArrays(NDArray images, int pad, int[] dy, int[] dx) {
        Shape s = images.getShape();
        long n = s.get(0);
        long height = s.get(1);
        long width = s.get(2);
        long channels = s.get(3);
        NDManager m = images.getManager();
        NDArray padded = edgePad(edgePad(images, 1, pad), 2, pad);
        long[] rowShift = new long[(int) n];
        long[] colShift = new long[(int) n];
        for (int i = 0; i < n; i++) {
            rowShift[i] = dy[i] + pad;
            colShift[i] = dx[i] + pad;
        }
        NDArray rows = m.arange(height).toType(DataType.INT64, false).reshape(1, height, 1, 1)
                .add(m.create(rowShift).reshape(n, 1, 1, 1)).broadcast(new Shape(n, height, width + 2L * pad, channels));
        NDArray cropped = padded.gather(rows, 1);
        NDArray cols = m.arange(width).toType(DataType.INT64, false).reshape(1, 1, width, 1)
                .add(m.create(colShift).reshape(n, 1, 1, 1)).broadcast(new Shape(n, height, width, channels));
        return cropped.gather(cols, 2);
    }

    private static NDArray edgePad(NDArray x, int axis, int pad) {
        long size = x.getShape().get(axis);
        String first = axis == 1 ? ":, 0:1" : ":, :, 0:1";
        String last = axis == 1 ? ":, " + (size - 1) + ":" : ":, :, " + (size - 1) + ":";
        return x.get(first).repeat(axis, pad).concat(x, axis).concat(x.get(last).repeat(axis, pad), axis);
    }
}
