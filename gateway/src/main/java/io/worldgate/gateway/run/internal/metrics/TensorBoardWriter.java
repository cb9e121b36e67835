package io.worldgate.gateway.run.internal.metrics;

import com.google.protobuf.ByteString;
import io.worldgate.api.tensor.Tensor;
import io.worldgate.proto.tensorboard.Event;
import io.worldgate.proto.tensorboard.Summary;
import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;

/**
 * A TensorBoard event file {@code events.out.tfevents.<epoch seconds>.<host>} in the run
 * directory: scalars as {@code simple_value}, images as PNG image summaries, videos as animated
 * GIF image summaries (TensorBoard's image tab plays them). The messages come from
 * {@code proto/tensorboard/event.proto}; see there for the framing.
 *
 * <p>Point TensorBoard at the runs folder ({@code tensorboard --logdir runs}) to compare runs.
 * Output is flushed at least every second. Thread-safe; images and videos are encoded on the
 * calling thread.
 */
public final class TensorBoardWriter extends FlushedFileWriter<TfRecordWriter> {
    /** The version string TensorBoard expects in the first event of a file. */
    public static final String FILE_VERSION = "brain.Event:2";
    private final Clock clock;

    /** Opens a new event file in {@code runDir} (created if missing). */
    public TensorBoardWriter(Path runDir) throws IOException {
        this(runDir, Clock.systemUTC());
    }

    public TensorBoardWriter(Path runDir, Clock clock) throws IOException {
        this(openEventFile(runDir, clock), clock);
    }

    private TensorBoardWriter(EventFile opened, Clock clock) throws IOException {
        super(opened.file(), opened.records());
        this.clock = clock;
        try {
            write(Event.newBuilder().setWallTime(now()).setFileVersion(FILE_VERSION).build());
            flush();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private record EventFile(Path file, TfRecordWriter records) {}

    /** A new event file; a second writer in the same second gets a numbered name (TensorBoard reads any "tfevents"). */
    private static EventFile openEventFile(Path runDir, Clock clock) throws IOException {
        Files.createDirectories(runDir);
        String base = "events.out.tfevents." + clock.millis() / 1000 + "." + hostName();
        Path candidate = runDir.resolve(base);
        for (int n = 1; ; n++) {
            try {
                BufferedOutputStream out = new BufferedOutputStream(Files.newOutputStream(candidate, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), 64 * 1024);
                return new EventFile(candidate, new TfRecordWriter(out));
            } catch (FileAlreadyExistsException e) {
                candidate = runDir.resolve(base + "." + n);
            }
        }
    }

    @Override
    public void scalar(String tag, double value, long step) {
        writeSummary(step, Summary.Value.newBuilder().setTag(tag).setSimpleValue((float) value));
    }

    @Override
    public void image(String tag, Tensor image, long step) {
        BufferedImage img = Images.toImage(image);
        writeImage(tag, step, img.getHeight(), img.getWidth(), Images.channels(image), Images.png(img));
    }

    @Override
    public void video(String tag, Tensor frames, double fps, long step) {
        List<BufferedImage> images = Images.toFrames(frames);
        BufferedImage first = images.get(0);
        int channels = Images.channels(frames) == 1 ? 1 : 3; // the GIF drops alpha
        writeImage(tag, step, first.getHeight(), first.getWidth(), channels, AnimatedGif.encodeLooping(images, fps));
    }

    /** An image summary of already encoded PNG, JPEG or GIF bytes. */
    public void encodedImage(String tag, long step, int height, int width, int channels, byte[] encoded) {
        writeImage(tag, step, height, width, channels, encoded);
    }

    private void writeImage(String tag, long step, int height, int width, int channels, byte[] encoded) {
        Summary.Image image = Summary.Image.newBuilder().setHeight(height).setWidth(width).setColorspace(channels)
                .setEncodedImageString(ByteString.copyFrom(encoded)).build();
        writeSummary(step, Summary.Value.newBuilder().setTag(tag).setImage(image));
    }

    private void writeSummary(long step, Summary.Value.Builder value) {
        Event event = Event.newBuilder().setWallTime(now()).setStep(step)
                .setSummary(Summary.newBuilder().addValue(value)).build();
        synchronized (this) {
            requireOpen();
            try {
                write(event);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file(), e);
            }
        }
    }

    private void write(Event event) throws IOException {
        stream().write(event.toByteArray());
    }

    private void requireOpen() {
        ensureOpen();
    }

    private double now() {
        return clock.millis() / 1000.0;
    }

    /** The host name for the file name, reduced to characters safe in file names. */
    static String hostName() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException | RuntimeException e) {
                name = "localhost";
            }
        }
        String safe = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.isEmpty() ? "localhost" : safe;
    }
}
