package io.worldgate.api;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.agent.MetricsSink;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.Tensor;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A sink written for version 1.0 (scalars and files only) gets the checking defaults of 1.1. */
class MetricsSinkTest {
    private final MetricsSink v10 = new MetricsSink() {
        @Override
        public void scalar(String name, double value) {}

        @Override
        public void file(String name, Path file) {}
    };

    @Test
    void imagesAndVideosOfTheDocumentedShapesAreAccepted() {
        assertThatCode(() -> v10.image("obs/rgb", Tensor.allocate(DType.UINT8, 4, 5, 3))).doesNotThrowAnyException();
        assertThatCode(() -> v10.image("obs/grey", Tensor.allocate(DType.UINT8, 4, 5, 1))).doesNotThrowAnyException();
        assertThatCode(() -> v10.video("openloop", Tensor.allocate(DType.UINT8, 2, 4, 5, 3), 10)).doesNotThrowAnyException();
    }

    @Test
    void wrongDtypeShapeChannelsOrFpsAreRefused() {
        assertThatThrownBy(() -> v10.image("x", Tensor.allocate(DType.FLOAT32, 4, 5, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("uint8");
        assertThatThrownBy(() -> v10.image("x", Tensor.allocate(DType.UINT8, 4, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[H, W, C]");
        assertThatThrownBy(() -> v10.image("x", Tensor.allocate(DType.UINT8, 4, 5, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels");
        assertThatThrownBy(() -> v10.image("x", Tensor.allocate(DType.UINT8, 0, 5, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> v10.image(" ", Tensor.allocate(DType.UINT8, 4, 5, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tag");
        assertThatThrownBy(() -> v10.video("v", Tensor.allocate(DType.UINT8, 4, 5, 3), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[T, H, W, C]");
        assertThatThrownBy(() -> v10.video("v", Tensor.allocate(DType.UINT8, 0, 4, 5, 3), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> v10.video("v", Tensor.allocate(DType.UINT8, 2, 4, 5, 3), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fps");
        assertThatThrownBy(() -> v10.video("v", Tensor.allocate(DType.UINT8, 2, 4, 5, 3), Double.NaN))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fps");
        assertThatThrownBy(() -> v10.video("v", null, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }
}
