package io.worldgate.gateway.run.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.proto.tensorboard.Event;
import io.worldgate.proto.tensorboard.Summary;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class TensorBoardWriterTest {
    @TempDir
    Path dir;

    /** What the writer writes in every test: 5 scalars of 2 tags, 2 images, 1 video. */
    private Path writeSample() throws IOException {
        try (TensorBoardWriter tb = new TensorBoardWriter(dir)) {
            for (int i = 0; i < 3; i++) {
                tb.scalar("episode/return", 100.5 * (i + 1), 1000L * (i + 1));
            }
            tb.scalar("loss/model", 0.25, 1000);
            tb.scalar("loss/model", 0.125, 2000);
            tb.image("obs/rgb", TestImages.gradient(32, 48, 3), 2000);
            tb.image("obs/gray", TestImages.gradient(16, 20, 1), 2000);
            tb.video("eval/policy", TestImages.movingSquare(6, 24, 32), 12.5, 3000);
            return tb.file();
        }
    }

    @Test
    void fileNameIsWhatTensorBoardLooksFor() throws IOException {
        Path file = writeSample();
        assertThat(file.getParent()).isEqualTo(dir);
        assertThat(file.getFileName().toString()).matches("events\\.out\\.tfevents\\.\\d{10}\\.[A-Za-z0-9._-]+");
        try (TensorBoardWriter second = new TensorBoardWriter(dir)) {
            assertThat(second.file()).isNotEqualTo(file); // same second: a distinct name, nothing overwritten
            assertThat(second.file().getFileName().toString()).contains("tfevents");
        }
    }

    @Test
    void maskedCrcMatchesTensorBoardsOwnImplementation() {
        // Known answers from tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c.
        CRC32C crc = new CRC32C();
        crc.update("123456789".getBytes(StandardCharsets.US_ASCII));
        assertThat(crc.getValue()).isEqualTo(0xe3069283L); // the CRC-32C check value
        assertThat(TfRecordWriter.maskedCrc32c("123456789".getBytes(StandardCharsets.US_ASCII), 0, 9))
                .isEqualTo(0xc78ab0e5);
        assertThat(TfRecordWriter.maskedCrc32c(new byte[8], 0, 8)).isEqualTo(0x07980329);
        byte[] len24 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(24).array();
        assertThat(TfRecordWriter.maskedCrc32c(len24, 0, 8)).isEqualTo(0x224b7fa3);
    }

    @Test
    void recordsFrameEventsWithValidCrcs() throws IOException {
        List<Event> events = readRecords(Files.readAllBytes(writeSample()));

        assertThat(events).hasSize(1 + 5 + 3);
        assertThat(events.get(0).getFileVersion()).isEqualTo("brain.Event:2");
        assertThat(events.get(0).getWallTime()).isGreaterThan(1.7e9);
        Event first = events.get(1);
        assertThat(first.getStep()).isEqualTo(1000);
        Summary.Value v = first.getSummary().getValue(0);
        assertThat(v.getTag()).isEqualTo("episode/return");
        assertThat(v.getSimpleValue()).isEqualTo(100.5f);

        Summary.Image image = events.get(6).getSummary().getValue(0).getImage();
        assertThat(image.getWidth()).isEqualTo(48);
        assertThat(image.getHeight()).isEqualTo(32);
        assertThat(image.getColorspace()).isEqualTo(3);
        assertThat(image.getEncodedImageString().substring(1, 4).toStringUtf8()).isEqualTo("PNG");
        Summary.Value videoValue = events.get(8).getSummary().getValue(0);
        assertThat(videoValue.getTag()).isEqualTo("eval/policy");
        assertThat(events.get(8).getStep()).isEqualTo(3000);
        Summary.Image video = videoValue.getImage();
        assertThat(video.getWidth()).isEqualTo(32);
        assertThat(video.getHeight()).isEqualTo(24);
        assertThat(video.getColorspace()).isEqualTo(3);
        assertThat(video.getEncodedImageString().substring(0, 6).toStringUtf8()).isEqualTo("GIF89a");
        Gif gif = Gif.read(video.getEncodedImageString().toByteArray());
        assertThat(gif.frames()).isEqualTo(6);
        assertThat(gif.delayCs()).isEqualTo(8); // 12.5 fps: 80 ms between frames
    }

    @Test
    void closedWriterRefusesScalars() throws IOException {
        TensorBoardWriter tb = new TensorBoardWriter(dir);
        tb.close();
        tb.close();
        tb.flush();
        assertThatThrownBy(() -> tb.scalar("x", 1, 1)).isInstanceOf(IllegalStateException.class);
    }

    /**
     * The real {@code tensorboard} package reads the file: its own record reader (which checks
     * every CRC), the legacy EventAccumulator, and the plugin accumulator the TensorBoard server
     * uses (which must sort our scalars and images to the scalars and images dashboards).
     */
    @Test
    void tensorBoardItselfReadsTheFile() throws Exception {
        Path file = writeSample();
        List<String> out = runPython(READ_WITH_TENSORBOARD, file.toString());

        assertThat(out).contains(
                "records 9",
                "file_version 2.0",
                "scalar episode/return 1000:100.5 2000:201 3000:301.5",
                "scalar loss/model 1000:0.25 2000:0.125",
                "image eval/policy 3000 32x24 image/gif frames=6",
                "image obs/gray 2000 20x16 image/png frames=1",
                "image obs/rgb 2000 48x32 image/png frames=1",
                "image_count 3",
                "plugin scalars ['episode/return', 'loss/model']",
                "plugin images ['eval/policy', 'obs/gray', 'obs/rgb']");
    }

    private static final String READ_WITH_TENSORBOARD = """
            import io, sys
            from PIL import Image
            from tensorboard.backend.event_processing import event_accumulator as ea
            from tensorboard.backend.event_processing import plugin_event_accumulator as pea
            from tensorboard.compat.tensorflow_stub import errors
            from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New
            from tensorboard.util import img_mime_type_detector
            path = sys.argv[1]
            reader, n = PyRecordReader_New(path), 0
            while True:
                try:
                    reader.GetNext()  # raises DataLossError on a bad CRC
                except errors.OutOfRangeError:
                    break
                n += 1
            print("records", n)
            acc = ea.EventAccumulator(path, size_guidance={ea.SCALARS: 0, ea.IMAGES: 0})
            acc.Reload()
            print("file_version", acc.file_version)
            tags = acc.Tags()
            for tag in sorted(tags["scalars"]):
                print("scalar", tag, " ".join(f"{e.step}:{e.value:g}" for e in acc.Scalars(tag)))
            for tag in sorted(tags["images"]):
                for e in acc.Images(tag):
                    frames = getattr(Image.open(io.BytesIO(e.encoded_image_string)), "n_frames", 1)
                    mime = img_mime_type_detector.from_bytes(e.encoded_image_string)
                    print("image", tag, e.step, f"{e.width}x{e.height}", mime, f"frames={frames}")
            print("image_count", sum(len(acc.Images(t)) for t in tags["images"]))
            plugins = pea.EventAccumulator(path)
            plugins.Reload()
            print("plugin scalars", sorted(plugins.PluginTagToContent("scalars")))
            print("plugin images", sorted(plugins.PluginTagToContent("images")))
            """;

    /** Runs the project venv's Python; skips the test where the venv or tensorboard is missing. */
    static List<String> runPython(String script, String... args) throws Exception {
        Path python = python();
        Assumptions.assumeTrue(Files.isExecutable(python),
                "no Python venv at " + python + " (run env-bridge-python/install.sh)");
        Process probe = new ProcessBuilder(python.toString(), "-c", "import tensorboard").redirectErrorStream(true).start();
        Assumptions.assumeTrue(probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0,
                "tensorboard is not installed in " + python + " (install.sh installs the [test] extra)");

        List<String> command = new ArrayList<>(List.of(python.toString(), "-c", script));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        System.out.println("[tensorboard check]\n" + text);
        assertThat(p.exitValue()).as(text).isZero();
        return text.lines().toList();
    }

    private static Path python() {
        String configured = System.getProperty("worldgate.test.python");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path repo = Files.exists(here.resolve("env-bridge-python")) ? here : here.getParent();
        return repo.resolve(".venv/bin/python");
    }

    /** What an animated GIF holds, read back with the JDK's GIF reader: its frame count and first frame delay. */
    public record Gif(int frames, int delayCs) {
        public static Gif read(byte[] bytes) throws IOException {
            ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
            try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
                reader.setInput(in);
                int frames = reader.getNumImages(true);
                IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0).getAsTree("javax_imageio_gif_image_1.0");
                IIOMetadataNode control = (IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension").item(0);
                return new Gif(frames, Integer.parseInt(control.getAttribute("delayTime")));
            } finally {
                reader.dispose();
            }
        }
    }

    /** Splits a TFRecord file, checking both CRCs of each record by recomputing them here. */
    public static List<Event> readRecords(byte[] file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (in.hasRemaining()) {
            assertThat(in.remaining()).as("room for a header").isGreaterThanOrEqualTo(12);
            int headerAt = in.position();
            long length = in.getLong();
            assertThat(in.getInt()).as("header crc of record %d", events.size()).isEqualTo(masked(file, headerAt, 8));
            assertThat(length).isLessThanOrEqualTo(in.remaining() - 4);
            int dataAt = in.position();
            in.position(dataAt + (int) length);
            assertThat(in.getInt()).as("data crc of record %d", events.size()).isEqualTo(masked(file, dataAt, (int) length));
            events.add(Event.parseFrom(ByteBuffer.wrap(file, dataAt, (int) length)));
        }
        return events;
    }

    /** The masked CRC32C, written out independently of the writer's code. */
    private static int masked(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        long c = crc.getValue();
        long rotated = ((c >>> 15) | (c << 17)) & 0xFFFFFFFFL;
        return (int) ((rotated + 0xa282ead8L) & 0xFFFFFFFFL);
    }
}
