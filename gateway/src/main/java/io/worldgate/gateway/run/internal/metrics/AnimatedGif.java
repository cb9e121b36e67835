package io.worldgate.gateway.run.internal.metrics;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOInvalidTreeException;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Animated GIFs with the JDK's GIF writer: one frame per image, a fixed frame delay and a loop
 * count in the NETSCAPE2.0 application extension. Each frame gets its own palette (the writer
 * quantizes RGB frames to 256 colors), so colors stay close to the source. Frames with alpha are
 * drawn over black first: GIF transparency is one bit.
 */
public final class AnimatedGif {
    /** Metadata format of the JDK's GIF writer. */
    private static final String FORMAT = "javax_imageio_gif_image_1.0";

    private AnimatedGif() {}

    /**
     * GIF bytes of the frames, shown {@code frameDelayMillis} apart (GIF counts in hundredths of
     * a second; browsers slow down delays under 20 ms, so shorter ones become 20 ms), repeated
     * {@code loops} times after the first showing, 0 for forever.
     */
    public static byte[] encode(List<BufferedImage> frames, int frameDelayMillis, int loops) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("an animation needs at least one frame");
        }
        if (loops < 0 || loops > 0xFFFF) {
            throw new IllegalArgumentException("loops must be 0 (forever) to 65535, not " + loops);
        }
        int delayCs = Math.max(2, Math.round(frameDelayMillis / 10f));
        ImageWriter writer = gifWriter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        // In memory: a file cache would add a shutdown hook, refused while the JVM shuts down (see Images#png).
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            writer.prepareWriteSequence(null);
            boolean first = true;
            for (BufferedImage source : frames) {
                BufferedImage frame = opaque(source);
                IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(frame), param);
                configure(meta, delayCs, first ? loops : -1);
                writer.writeToSequence(new IIOImage(frame, null, meta), param);
                first = false;
            }
            writer.endWriteSequence();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: only a writer failure
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** GIF bytes of fps-paced frames looping forever. */
    public static byte[] encodeLooping(List<BufferedImage> frames, double fps) {
        if (!(fps > 0)) {
            throw new IllegalArgumentException("fps must be positive, not " + fps);
        }
        return encode(frames, (int) Math.round(1000 / fps), 0);
    }

    /** Writes an animated GIF file (see {@link #encode}). */
    public static void write(List<BufferedImage> frames, int frameDelayMillis, int loops, Path file) throws IOException {
        Images.writeAtomically(file, encode(frames, frameDelayMillis, loops));
    }

    private static BufferedImage opaque(BufferedImage image) {
        if (!image.getColorModel().hasAlpha()) {
            return image;
        }
        BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = rgb.createGraphics();
        try {
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return rgb;
    }

    private static ImageWriter gifWriter() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("gif");
        if (!writers.hasNext()) {
            throw new IllegalStateException("this JDK has no GIF image writer");
        }
        return writers.next();
    }

    /** Sets the frame delay, and on the first frame ({@code loops >= 0}) the loop extension. */
    private static void configure(IIOMetadata meta, int delayCs, int loops) throws IIOInvalidTreeException {
        IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(FORMAT);
        IIOMetadataNode control = child(root, "GraphicControlExtension");
        control.setAttribute("disposalMethod", "none");
        control.setAttribute("userInputFlag", "FALSE");
        control.setAttribute("transparentColorFlag", "FALSE");
        control.setAttribute("transparentColorIndex", "0");
        control.setAttribute("delayTime", Integer.toString(delayCs));
        if (loops >= 0) {
            IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
            app.setAttribute("applicationID", "NETSCAPE");
            app.setAttribute("authenticationCode", "2.0");
            // Sub-block 1, then the loop count as a little-endian uint16.
            app.setUserObject(new byte[] {1, (byte) (loops & 0xFF), (byte) ((loops >> 8) & 0xFF)});
            child(root, "ApplicationExtensions").appendChild(app);
        }
        meta.setFromTree(FORMAT, root);
    }

    private static IIOMetadataNode child(IIOMetadataNode parent, String name) {
        for (int i = 0; i < parent.getLength(); i++) {
            if (parent.item(i).getNodeName().equalsIgnoreCase(name)) {
                return (IIOMetadataNode) parent.item(i);
            }
        }
        IIOMetadataNode node = new IIOMetadataNode(name);
        parent.appendChild(node);
        return node;
    }
}
