package io.worldgate.gateway.run.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir
    Path dir;

    @Test
    void tensorChannelsLandInTheRightColors() throws IOException {
        BufferedImage rgb = Images.toImage(TestImages.gradient(32, 48, 3));
        assertThat(rgb.getWidth()).isEqualTo(48);
        assertThat(rgb.getHeight()).isEqualTo(32);
        assertThat(rgb.getRGB(47, 0) & 0xFFFFFF).isEqualTo(0xFF0060); // red 255, green 0, blue 96
        assertThat(rgb.getRGB(0, 31) & 0xFFFFFF).isEqualTo(0x00FF60);

        BufferedImage rgba = Images.toImage(TestImages.gradient(4, 4, 4));
        assertThat(rgba.getRGB(3, 3)).isEqualTo(0xFFFFFF60);
        BufferedImage gray = Images.toImage(TestImages.gradient(4, 6, 1));
        assertThat(gray.getRaster().getSample(5, 0, 0)).isEqualTo(255);

        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(Images.png(rgb)));
        assertThat(decoded.getRGB(47, 0) & 0xFFFFFF).isEqualTo(0xFF0060); // PNG is lossless
        Images.writePng(rgb, dir.resolve("sub/obs.png"));
        assertThat(ImageIO.read(dir.resolve("sub/obs.png").toFile()).getWidth()).isEqualTo(48);
    }

    @Test
    void refusesWhatIsNotAnImage() {
        assertThatThrownBy(() -> Images.toImage(Tensor.allocate(DType.FLOAT32, 4, 4, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uint8");
        assertThatThrownBy(() -> Images.toImage(Tensor.allocate(DType.UINT8, 4, 4, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels");
        assertThatThrownBy(() -> Images.toFrames(Tensor.allocate(DType.UINT8, 0, 4, 4, 3)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void animatedGifDecodesToAllFramesWithDelayAndLoop() throws IOException {
        List<BufferedImage> frames = Images.toFrames(TestImages.movingSquare(6, 24, 32));
        byte[] gif = AnimatedGif.encodeLooping(frames, 20); // 50 ms = 5 hundredths of a second

        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            assertThat(reader.getNumImages(true)).isEqualTo(6);
            for (int i = 0; i < 6; i++) {
                BufferedImage frame = reader.read(i);
                assertThat(frame.getWidth()).isEqualTo(32);
                assertThat(frame.getHeight()).isEqualTo(24);
                IIOMetadataNode meta = (IIOMetadataNode) reader.getImageMetadata(i).getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode control = (IIOMetadataNode) meta.getElementsByTagName("GraphicControlExtension").item(0);
                assertThat(control.getAttribute("delayTime")).isEqualTo("5");
            }
            // The square moved from the left edge to the right edge; the background stayed dark blue.
            assertThat(reader.read(0).getRGB(2, 12) & 0xFFFFFF).isEqualTo(0xFFFFFF);
            assertThat(reader.read(5).getRGB(29, 12) & 0xFFFFFF).isEqualTo(0xFFFFFF);
            assertThat(reader.read(5).getRGB(2, 12) & 0xFFFFFF).isEqualTo(0x0A145A);
            IIOMetadataNode first = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
            IIOMetadataNode app = (IIOMetadataNode) first.getElementsByTagName("ApplicationExtension").item(0);
            assertThat(app.getAttribute("applicationID")).isEqualTo("NETSCAPE");
            assertThat((byte[]) app.getUserObject()).containsExactly(1, 0, 0); // loop forever
            reader.dispose();
        }

        AnimatedGif.write(Images.toFrames(TestImages.movingSquare(3, 8, 8)), 100, 2, dir.resolve("clip.gif"));
        assertThat(Files.size(dir.resolve("clip.gif"))).isPositive();
    }

    @Test
    void grayAndRgbaVideosBecomeGifsToo() throws IOException {
        byte[] gray = AnimatedGif.encodeLooping(Images.toFrames(TestImages.gradient(16, 20, 3).reshape(3, 16, 20, 1)), 10);
        assertThat(frames(gray)).isEqualTo(3);
        // RGBA frames are drawn over black: an opaque pixel keeps its color.
        byte[] rgba = AnimatedGif.encodeLooping(Images.toFrames(TestImages.gradient(8, 12, 4).reshape(1, 8, 12, 4)), 10);
        BufferedImage frame = ImageIO.read(new ByteArrayInputStream(rgba));
        assertThat(frame.getRGB(11, 0) & 0xFFFFFF).isEqualTo(0xFF0060);
    }

    private static int frames(byte[] gif) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(gif))) {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            reader.setInput(in);
            int n = reader.getNumImages(true);
            reader.dispose();
            return n;
        }
    }
}
