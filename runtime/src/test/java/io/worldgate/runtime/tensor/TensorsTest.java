package io.worldgate.runtime.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.experience.SequenceBatch;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TensorsTest {
    static NDManager m;

    @BeforeAll
    static void open() {
        m = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        m.close();
    }

    @Test
    void floatRoundTripAndCopySemantics() {
        Tensor t = Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        NDArray copy = Tensors.toNDArray(m, t);
        NDArray view = Tensors.view(m, t);
        assertThat(copy.getShape()).isEqualTo(new Shape(2, 3));
        assertThat(copy.getDataType()).isEqualTo(DataType.FLOAT32);
        t.setFloat(0, 100f);
        // the copy keeps the old value, the view sees the write
        assertThat(copy.toFloatArray()[0]).isEqualTo(1f);
        assertThat(view.toFloatArray()[0]).isEqualTo(100f);
        Tensor back = Tensors.toTensor(copy.mul(2));
        assertThat(back.shape()).containsExactly(2, 3);
        assertThat(back.toFloatArray()).containsExactly(2, 4, 6, 8, 10, 12);
    }

    @Test
    void pixelsAndInts() {
        Tensor img = Tensor.ofBytes(new byte[] {0, (byte) 200, (byte) 255, 7}, 1, 2, 2, 1);
        NDArray a = Tensors.toNDArray(m, img);
        assertThat(a.getDataType()).isEqualTo(DataType.UINT8);
        assertThat(a.toType(DataType.INT32, false).toIntArray()).containsExactly(0, 200, 255, 7);
        Tensor ints = Tensor.ofInts(new int[] {-3, 9}, 2);
        assertThat(Tensors.toTensor(Tensors.toNDArray(m, ints)).toIntArray()).containsExactly(-3, 9);
        assertThat(Tensors.dtype(DataType.BOOLEAN)).isEqualTo(DType.BOOL);
    }

    @Test
    void sequenceBatch() {
        int b = 2;
        int t = 3;
        SequenceBatch batch = new SequenceBatch(
                NamedTensors.of("state", Tensor.allocate(DType.FLOAT32, b, t, 4)),
                Tensor.allocate(DType.INT32, b, t),
                Tensor.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, b, t),
                Tensor.allocate(DType.FLOAT32, b, t),
                Tensor.allocate(DType.FLOAT32, b, t),
                Tensor.allocate(DType.FLOAT32, b, t));
        NDSequenceBatch nd = NDSequenceBatch.of(m, batch);
        assertThat(nd.batchSize()).isEqualTo(2);
        assertThat(nd.length()).isEqualTo(3);
        assertThat(nd.observation("state").getShape()).isEqualTo(new Shape(2, 3, 4));
        assertThat(nd.rewards().toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(nd.all()).hasSize(6);
    }
}
