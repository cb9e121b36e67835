package io.worldgate.api.tensor;

/** Element types a {@link Tensor} can hold. Values are stored in native byte order. */
public enum DType {
    UINT8(1),
    INT32(4),
    INT64(8),
    FLOAT32(4),
    FLOAT64(8),
    BOOL(1);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes one element takes. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether values of this type are floating point (NaN is possible). */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }
}
