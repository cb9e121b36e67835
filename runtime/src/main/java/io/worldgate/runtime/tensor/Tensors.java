package io.worldgate.runtime.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.worldgate.api.tensor.DType;
import io.worldgate.api.tensor.NamedTensors;
import io.worldgate.api.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Converts api {@link Tensor}s to NDArrays and back.
 *
 * <p>{@link #toNDArray} copies, so the NDArray stays valid whatever happens to the tensor's buffer
 * afterwards; use it for anything the host may reuse (observations, experience batches).
 * {@link #view} shares the tensor's memory without a copy on the CPU (DJL's PyTorch engine wraps a
 * direct buffer in place): the caller must keep the tensor unchanged while the array is in use.
 */
public final class Tensors {
    private Tensors() {}

    /** The DJL type of an api dtype. */
    public static DataType dataType(DType dtype) {
        return switch (dtype) {
            case UINT8 -> DataType.UINT8;
            case INT32 -> DataType.INT32;
            case INT64 -> DataType.INT64;
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT64 -> DataType.FLOAT64;
            case BOOL -> DataType.BOOLEAN;
        };
    }

    /**
     * The api dtype of a DJL type.
     *
     * @throws IllegalArgumentException for types the api has no dtype for (float16, int8, ...)
     */
    public static DType dtype(DataType type) {
        return switch (type) {
            case UINT8 -> DType.UINT8;
            case INT32 -> DType.INT32;
            case INT64 -> DType.INT64;
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT64 -> DType.FLOAT64;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("the api has no dtype for " + type);
        };
    }

    /** The DJL shape of an api shape. */
    public static Shape shape(int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            s[i] = shape[i];
        }
        return new Shape(s);
    }

    /** A copy of {@code tensor} as an NDArray in {@code manager}. */
    public static NDArray toNDArray(NDManager manager, Tensor tensor) {
        try (NDArray shared = view(manager, tensor)) {
            return shared.duplicate();
        }
    }

    /**
     * An NDArray over {@code tensor}'s memory (no copy on the CPU; engines that must copy, such as a
     * GPU device, do). Valid while the tensor's buffer is unchanged.
     */
    public static NDArray view(NDManager manager, Tensor tensor) {
        return manager.create(tensor.buffer(), shape(tensor.shape()), dataType(tensor.dtype()));
    }

    /** A copy of {@code array} as an api tensor in newly allocated direct memory. */
    public static Tensor toTensor(NDArray array) {
        DType dtype = dtype(array.getDataType());
        long[] s = array.getShape().getShape();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        Tensor t = Tensor.allocate(dtype, shape);
        ByteBuffer src = array.toByteBuffer().order(ByteOrder.nativeOrder());
        ByteBuffer dst = t.buffer();
        if (src.remaining() != dst.remaining()) {
            throw new IllegalStateException("array gave " + src.remaining() + " bytes, the tensor holds " + dst.remaining());
        }
        dst.put(src);
        return t;
    }

    /** Copies of the named tensors, in their order. */
    public static NDList toNDList(NDManager manager, NamedTensors tensors) {
        NDList list = new NDList(tensors.names().size());
        for (Map.Entry<String, Tensor> e : tensors.asMap().entrySet()) {
            NDArray a = toNDArray(manager, e.getValue());
            a.setName(e.getKey());
            list.add(a);
        }
        return list;
    }
}
