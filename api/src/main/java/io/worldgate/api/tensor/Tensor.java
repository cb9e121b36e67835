package io.worldgate.api.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A dense n-dimensional array backed by a direct {@link ByteBuffer} in native byte order.
 *
 * <p>Direct memory lets the host pass observations from a simulator, and agents pass them into
 * an engine such as DJL ({@code NDManager.create(buffer, shape, type)}), without copies through
 * the Java heap. A tensor is mutable; who may write it is stated by the API that hands it out
 * (observations given to an agent are read-only by contract).
 *
 * <p>Batched data puts the batch (environment) dimension first: observations of {@code N}
 * environments with image shape {@code H x W x C} are one tensor of shape {@code [N, H, W, C]}.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final ByteBuffer data;

    private Tensor(DType dtype, int[] shape, ByteBuffer data) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.shape = shape.clone();
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
        long bytes = numElements(shape) * dtype.byteSize();
        if (data.capacity() != bytes) {
            throw new IllegalArgumentException("buffer holds " + data.capacity() + " bytes, shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + bytes);
        }
        this.data = data.order(ByteOrder.nativeOrder());
    }

    /** A zero-filled tensor in newly allocated direct memory. */
    public static Tensor allocate(DType dtype, int... shape) {
        long bytes = numElements(shape) * dtype.byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes is larger than one buffer can hold");
        }
        return new Tensor(dtype, shape, ByteBuffer.allocateDirect((int) bytes));
    }

    /**
     * A tensor over an existing direct buffer (for example a mapped shared-memory region). The
     * buffer's capacity must equal the tensor's size in bytes; it is used from position 0.
     */
    public static Tensor wrap(ByteBuffer direct, DType dtype, int... shape) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("tensor buffers must be direct");
        }
        ByteBuffer view = direct.duplicate().clear();
        return new Tensor(dtype, shape, view.slice());
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static Tensor ofFloats(float[] values, int... shape) {
        Tensor t = allocate(DType.FLOAT32, shape);
        checkLength(values.length, t);
        t.buffer().asFloatBuffer().put(values);
        return t;
    }

    /** An int32 tensor holding a copy of {@code values}. */
    public static Tensor ofInts(int[] values, int... shape) {
        Tensor t = allocate(DType.INT32, shape);
        checkLength(values.length, t);
        t.buffer().asIntBuffer().put(values);
        return t;
    }

    /** A uint8 tensor holding a copy of {@code values}. */
    public static Tensor ofBytes(byte[] values, int... shape) {
        Tensor t = allocate(DType.UINT8, shape);
        checkLength(values.length, t);
        t.buffer().put(values);
        return t;
    }

    private static void checkLength(int length, Tensor t) {
        if (length != t.numElements()) {
            throw new IllegalArgumentException(length + " values do not fill shape " + Arrays.toString(t.shape));
        }
    }

    /** Number of elements of a shape (1 for a scalar shape {@code []}). */
    public static long numElements(int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    /** The shape; a copy, so callers may not change this tensor's shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code axis}. */
    public int dim(int axis) {
        return shape[axis];
    }

    public int rank() {
        return shape.length;
    }

    public long numElements() {
        return numElements(shape);
    }

    public int byteSize() {
        return data.capacity();
    }

    /**
     * A view of the data: position 0, limit at the end, native byte order. Writing through it
     * writes this tensor. Each call returns a new view, so positions never interfere.
     */
    public ByteBuffer buffer() {
        return data.duplicate().order(ByteOrder.nativeOrder()).clear();
    }

    /** Element {@code index} (flat, row-major) converted to double, whatever the dtype. */
    public double getDouble(long index) {
        int i = byteOffset(index);
        return switch (dtype) {
            case UINT8 -> data.get(i) & 0xFF;
            case BOOL -> data.get(i) != 0 ? 1 : 0;
            case INT32 -> data.getInt(i);
            case INT64 -> data.getLong(i);
            case FLOAT32 -> data.getFloat(i);
            case FLOAT64 -> data.getDouble(i);
        };
    }

    /** Sets element {@code index} (flat, row-major), converting from double. */
    public void setDouble(long index, double value) {
        int i = byteOffset(index);
        switch (dtype) {
            case UINT8 -> data.put(i, (byte) (int) value);
            case BOOL -> data.put(i, (byte) (value != 0 ? 1 : 0));
            case INT32 -> data.putInt(i, (int) value);
            case INT64 -> data.putLong(i, (long) value);
            case FLOAT32 -> data.putFloat(i, (float) value);
            case FLOAT64 -> data.putDouble(i, value);
        }
    }

    public float getFloat(long index) {
        requireDtype(DType.FLOAT32);
        return data.getFloat(byteOffset(index));
    }

    public void setFloat(long index, float value) {
        requireDtype(DType.FLOAT32);
        data.putFloat(byteOffset(index), value);
    }

    public int getInt(long index) {
        requireDtype(DType.INT32);
        return data.getInt(byteOffset(index));
    }

    public void setInt(long index, int value) {
        requireDtype(DType.INT32);
        data.putInt(byteOffset(index), value);
    }

    /** A copy of all elements as floats, converting from any dtype. */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numElements())];
        if (dtype == DType.FLOAT32) {
            buffer().asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) getDouble(i);
            }
        }
        return out;
    }

    /** A copy of all elements as ints, converting (truncating) from any dtype. */
    public int[] toIntArray() {
        int[] out = new int[Math.toIntExact(numElements())];
        if (dtype == DType.INT32) {
            buffer().asIntBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = (int) getDouble(i);
            }
        }
        return out;
    }

    /**
     * A view of entry {@code index} along the first (batch) dimension: shape {@code shape[1:]},
     * sharing this tensor's memory.
     */
    public Tensor batchEntry(int index) {
        if (rank() == 0) {
            throw new IllegalStateException("a scalar tensor has no batch dimension");
        }
        Objects.checkIndex(index, shape[0]);
        int[] inner = Arrays.copyOfRange(shape, 1, shape.length);
        int entryBytes = Math.toIntExact(numElements(inner) * dtype.byteSize());
        ByteBuffer slice = data.slice(index * entryBytes, entryBytes);
        return new Tensor(dtype, inner, slice);
    }

    /** A copy in newly allocated direct memory. */
    public Tensor copy() {
        Tensor t = allocate(dtype, shape);
        t.data.put(0, data, 0, data.capacity());
        return t;
    }

    /** The same memory seen with another shape of the same number of elements. */
    public Tensor reshape(int... newShape) {
        if (numElements(newShape) != numElements()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(dtype, newShape, data);
    }

    /** Whether any floating-point element is NaN or infinite (always false for integer types). */
    public boolean hasNonFinite() {
        if (!dtype.isFloatingPoint()) {
            return false;
        }
        long n = numElements();
        for (long i = 0; i < n; i++) {
            if (!Double.isFinite(getDouble(i))) {
                return true;
            }
        }
        return false;
    }

    private int byteOffset(long index) {
        Objects.checkIndex(index, numElements());
        return (int) (index * dtype.byteSize());
    }

    private void requireDtype(DType expected) {
        if (dtype != expected) {
            throw new IllegalStateException("tensor holds " + dtype + ", not " + expected);
        }
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}
