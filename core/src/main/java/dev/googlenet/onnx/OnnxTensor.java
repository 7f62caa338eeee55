package dev.googlenet.onnx;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.Arrays;

/**
 * A value in an ONNX graph: an element type, a shape and dense row-major data. Floating-point values live in a
 * {@code float[]} (shared with a {@link Tensor} without copying); integer and boolean values in a {@code long[]}.
 */
public final class OnnxTensor {

    /** ONNX {@code TensorProto.DataType} codes this runtime can hold. */
    public enum DataType {
        FLOAT(1, 4), UINT8(2, 1), INT8(3, 1), UINT16(4, 2), INT16(5, 2), INT32(6, 4), INT64(7, 8), BOOL(9, 1),
        UINT32(12, 4), UINT64(13, 8);

        private final int code;
        private final int bytes;

        DataType(int code, int bytes) {
            this.code = code;
            this.bytes = bytes;
        }

        public int code() {
            return code;
        }

        /** Bytes per element in {@code raw_data}. */
        public int bytes() {
            return bytes;
        }

        public boolean isFloat() {
            return this == FLOAT;
        }

        /** The type with this code, or null for types this runtime does not hold (double, float16, string…). */
        public static DataType of(int code) {
            for (DataType t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }

        /** ONNX's name of a type code, also for the ones not supported here (for messages). */
        public static String nameOf(int code) {
            String[] names = {"UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING",
                "BOOL", "FLOAT16", "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16"};
            return code >= 0 && code < names.length ? names[code] : "type " + code;
        }
    }

    private final DataType type;
    private final int[] shape;
    private final float[] floats;
    private final long[] longs;

    private OnnxTensor(DataType type, int[] shape, float[] floats, long[] longs) {
        long n = Shape.size(shape);
        int have = floats != null ? floats.length : longs.length;
        if (n != have) {
            throw new IllegalArgumentException("shape " + Shape.toString(shape) + " needs " + n + " values, got " + have);
        }
        this.type = type;
        this.shape = shape.clone();
        this.floats = floats;
        this.longs = longs;
    }

    /** A float tensor sharing {@code data}. */
    public static OnnxTensor ofFloats(float[] data, int... shape) {
        return new OnnxTensor(DataType.FLOAT, shape, data, null);
    }

    /** An integer or boolean tensor sharing {@code data}. */
    public static OnnxTensor ofLongs(DataType type, long[] data, int... shape) {
        if (type.isFloat()) {
            throw new IllegalArgumentException("ofLongs needs an integer type, got " + type);
        }
        return new OnnxTensor(type, shape, null, data);
    }

    /** Wraps an engine tensor (no copy). */
    public static OnnxTensor of(Tensor t) {
        return ofFloats(t.data(), t.shape());
    }

    public DataType type() {
        return type;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int size() {
        return floats != null ? floats.length : longs.length;
    }

    /** The float data (live); only for {@link DataType#FLOAT}. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("tensor of type " + type + " has no float data");
        }
        return floats;
    }

    /** The integer data (live); only for integer and boolean types. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor of type " + type + " has no integer data");
        }
        return longs;
    }

    /** This float tensor as an engine tensor sharing its data. */
    public Tensor toTensor() {
        return Tensor.of(floats(), shape);
    }

    /** The same data under another shape of the same size. */
    public OnnxTensor reshape(int... newShape) {
        return new OnnxTensor(type, newShape, floats, longs);
    }

    /** Whether this tensor's shape is {@code s}. */
    public boolean hasSameShape(int[] s) {
        return Arrays.equals(shape, s);
    }

    /** Element {@code i} as a double, whatever the type. */
    public double get(int i) {
        return floats != null ? floats[i] : longs[i];
    }

    @Override
    public String toString() {
        return type + Shape.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensor t && type == t.type && Arrays.equals(shape, t.shape)
                && Arrays.equals(floats, t.floats) && Arrays.equals(longs, t.longs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape) * 31 + type.hashCode();
    }
}
