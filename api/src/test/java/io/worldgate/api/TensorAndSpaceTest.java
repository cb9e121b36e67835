package io.worldgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.worldgate.api.space.BoxSpace;
import io.worldgate.api.space.DiscreteSpace;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorAndSpaceTest {

    @Test
    void batchEntriesAreViewsOfTheSameDirectMemory() {
        Tensor t = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThat(t.buffer().isDirect()).isTrue();
        Tensor row = t.batchEntry(1);
        assertThat(row.shape()).containsExactly(3);
        assertThat(row.toFloatArray()).containsExactly(4, 5, 6);
        row.setFloat(0, 40);
        assertThat(t.getFloat(3)).isEqualTo(40f);
        assertThat(t.copy().reshape(3, 2).toFloatArray()).containsExactly(1, 2, 3, 40, 5, 6);
    }

    @Test
    void wrapRejectsHeapBuffersAndWrongSizes() {
        assertThatThrownBy(() -> Tensor.wrap(ByteBuffer.allocate(8), DType.FLOAT32, 2)).hasMessageContaining("direct");
        assertThatThrownBy(() -> Tensor.wrap(ByteBuffer.allocateDirect(12), DType.FLOAT32, 2)).hasMessageContaining("needs 8");
        assertThatThrownBy(() -> Tensor.ofInts(new int[3], 2)).hasMessageContaining("3 values do not fill shape [2]");
    }

    @Test
    void uint8ValuesReadAsUnsigned() {
        Tensor t = Tensor.ofBytes(new byte[] {(byte) 255, 0}, 2);
        assertThat(t.getDouble(0)).isEqualTo(255.0);
    }

    @Test
    void namedTensorsShareOneBatchSize() {
        assertThatThrownBy(() -> NamedTensors.of(Map.of("a", Tensor.allocate(DType.FLOAT32, 2, 1), "b",
                Tensor.allocate(DType.FLOAT32, 3, 1)))).hasMessageContaining("batch size");
    }

    @Test
    void discreteSpaceRejectsWrongDtypeShapeAndRange() {
        DiscreteSpace s = new DiscreteSpace(3);
        assertThat(s.validateBatch(Tensor.ofInts(new int[] {0, 2}, 2), 2)).isEmpty();
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {0, 2}, 2), 2)).hasValueSatisfying(m -> assertThat(m).contains("INT32"));
        assertThat(s.validateBatch(Tensor.ofInts(new int[] {0, 2, 1}, 3), 2)).hasValueSatisfying(m -> assertThat(m).contains("[2]"));
        assertThat(s.validateBatch(Tensor.ofInts(new int[] {0, 3}, 2), 2)).hasValueSatisfying(m -> assertThat(m).contains("outside 0..2"));
    }

    @Test
    void boxSpaceRejectsNanAndOutOfBounds() {
        BoxSpace s = BoxSpace.uniform(DType.FLOAT32, -1, 1, 2);
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {-1, 1, 0, 0.5f}, 2, 2), 2)).isEmpty();
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {0, Float.NaN, 0, 0}, 2, 2), 2))
                .hasValueSatisfying(m -> assertThat(m).contains("NaN"));
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {0, 0, 0, 1.5f}, 2, 2), 2))
                .hasValueSatisfying(m -> assertThat(m).contains("entry 1 element 1 is 1.5"));
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {0, 0}, 1, 2), 2))
                .hasValueSatisfying(m -> assertThat(m).contains("expected shape [2, 2]"));
    }

    @Test
    void aFloat32BoxHoldsItsBoundsAsFloat32Values() {
        // 0.3 and 0.1 have no exact float32; the nearest ones (0.3f is slightly above 0.3) are inside
        BoxSpace s = new BoxSpace(DType.FLOAT32, new int[] {1}, new double[] {0.1}, new double[] {0.3});
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {0.1f, 0.3f}, 2, 1), 2)).isEmpty();
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {Math.nextUp(0.3f)}, 1, 1), 1)).isPresent();
        assertThat(s.validateBatch(Tensor.ofFloats(new float[] {Math.nextDown(0.1f)}, 1, 1), 1)).isPresent();
    }
}
