package dev.googlenet.onnx;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.Arrays;

/**
 * A value in an ONNX graph: an element type, a shape and dense row-major data. Float values <em>are</em> engine
 * {@link Tensor}s, handed to the engine's layers and kernels as they are. This wrapper exists only for what a
 * float32 {@code Tensor} cannot hold: ONNX graphs also carry integer and boolean values (Reshape's target shape and
 * Gather's indices are INT64, Dropout's mask is BOOL, MaxPool takes UINT8/INT8), and an int64 above 2^24 is not
 * exact in a float. Those keep a {@code long[]} and their own shape; nothing else is duplicated.
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
    private final Tensor tensor; // FLOAT
    private final long[] longs;  // every other type
    private final int[] shape;   // of longs; a float value's shape is its tensor's

    private OnnxTensor(DataType type, Tensor tensor, long[] longs, int[] shape) {
        this.type = type;
        this.tensor = tensor;
        this.longs = longs;
        this.shape = shape;
    }

    /** A float value: the engine tensor itself (no copy). */
    public static OnnxTensor of(Tensor t) {
        return new OnnxTensor(DataType.FLOAT, t, null, null);
    }

    /** Shorthand for {@code of(Tensor.of(data, shape))}. */
    public static OnnxTensor ofFloats(float[] data, int... shape) {
        return of(Tensor.of(data, shape));
    }

    /** An integer or boolean value sharing {@code data}. */
    public static OnnxTensor ofLongs(DataType type, long[] data, int... shape) {
        if (type.isFloat()) {
            throw new IllegalArgumentException("ofLongs needs an integer type, got " + type);
        }
        long n = Shape.size(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Shape.toString(shape) + " needs " + n + " values, got "
                    + data.length);
        }
        return new OnnxTensor(type, null, data, shape.clone());
    }

    public DataType type() {
        return type;
    }

    public int[] shape() {
        return tensor != null ? tensor.shape() : shape.clone();
    }

    public int rank() {
        return tensor != null ? tensor.rank() : shape.length;
    }

    public int dim(int i) {
        return tensor != null ? tensor.dim(i) : shape[i < 0 ? shape.length + i : i];
    }

    public int size() {
        return tensor != null ? tensor.size() : longs.length;
    }

    /** The float value (live, not a copy); only for {@link DataType#FLOAT}. */
    public Tensor tensor() {
        if (tensor == null) {
            throw new IllegalStateException("tensor of type " + type + " has no float data");
        }
        return tensor;
    }

    /** The integer data (live); only for integer and boolean types. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("tensor of type " + type + " has no integer data");
        }
        return longs;
    }

    /** The same data under another shape of the same size. */
    public OnnxTensor reshape(int... newShape) {
        return tensor != null ? of(tensor.reshape(newShape)) : ofLongs(type, longs, newShape);
    }

    /** Whether this value's shape is {@code s}. */
    public boolean hasSameShape(int[] s) {
        return tensor != null ? tensor.hasShape(s) : Arrays.equals(shape, s);
    }

    /** Element {@code i} as a double, whatever the type. */
    public double get(int i) {
        return tensor != null ? tensor.data()[i] : longs[i];
    }

    /** A copy that shares no storage with this value. */
    public OnnxTensor copy() {
        return tensor != null ? of(tensor.copy()) : ofLongs(type, longs.clone(), shape);
    }

    @Override
    public String toString() {
        return type + Shape.toString(shape());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OnnxTensor t && type == t.type && Arrays.equals(shape(), t.shape())
                && (tensor != null ? Arrays.equals(tensor.data(), t.tensor.data()) : Arrays.equals(longs, t.longs));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shape()) * 31 + type.hashCode();
    }
}
