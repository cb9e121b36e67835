package io.worldgate.gateway.run.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MediaFilesTest {
    @TempDir
    Path dir;

    @Test
    void aLongVideoIsCutToItsFirstFramesAndAHugeImageIsRefused() {
        Tensor small = TestImages.movingSquare(3, 8, 8);
        assertThat(MediaFiles.firstFrames(small)).isSameAs(small);

        Tensor many = Tensor.allocate(DType.UINT8, MediaFiles.MAX_VIDEO_FRAMES + 7, 2, 2, 1);
        many.setDouble(MediaFiles.MAX_VIDEO_FRAMES * 4L - 1, 9); // last pixel of the last frame kept
        Tensor cut = MediaFiles.firstFrames(many);
        assertThat(cut.shape()).containsExactly(MediaFiles.MAX_VIDEO_FRAMES, 2, 2, 1);
        assertThat(cut.getDouble(cut.numElements() - 1)).isEqualTo(9);

        // 2 MiB frames: 32 fit in 64 MiB
        assertThat(MediaFiles.firstFrames(Tensor.allocate(DType.UINT8, 40, 1024, 2048, 1)).dim(0)).isEqualTo(32);

        assertThatThrownBy(() -> MediaFiles.bounded(Tensor.allocate(DType.UINT8, 8193, 8192, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("over the limit");
    }

    @Test
    void filesAreNamedByTagAndStepInsideTheRunDirectory() throws IOException {
        MediaFiles media = new MediaFiles(dir);
        Path png = media.writeImage("../../etc/x y", TestImages.gradient(4, 4, 3), 12);
        assertThat(png).isEqualTo(dir.resolve("images").resolve("______etc_x_y-step12.png"));
        Path gif = media.writeVideo("dreamer/openloop", TestImages.movingSquare(3, 8, 8), 10, 40);
        assertThat(gif).isEqualTo(dir.resolve("videos").resolve("dreamer_openloop-step40.gif"));
        assertThat(Files.size(png)).isPositive();
        assertThat(TensorBoardWriterTest.Gif.read(Files.readAllBytes(gif))).isEqualTo(new TensorBoardWriterTest.Gif(3, 10));
    }
}
