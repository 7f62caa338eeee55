package dev.googlenet.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C-contiguous) order. Inside the engine activations are NCHW:
 * {@code [batch, channels, height, width]}. The storage array is exposed on purpose: kernels index it directly.
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;
    private final int size; // elements the shape holds: data.length, or fewer for a view of a larger buffer
    /** Bumped by whoever changes the values in place (optimizers, weight loading): caches key on it. */
    private int version;

    private Tensor(float[] data, int[] shape) {
        this(data, shape, false);
    }

    private Tensor(float[] data, int[] shape, boolean view) {
        long n = Shape.size(shape);
        if (view ? n > data.length : n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Shape.toString(shape) + " needs " + n + " values, storage has " + data.length);
        }
        this.shape = shape.clone();
        this.data = data;
        this.size = (int) n;
    }

    /**
     * The first elements of {@code storage} seen with {@code shape}: storage may be larger than the shape needs.
     * For an execution plan's workspace, whose buffers are sized for the largest value they ever hold; code that
     * receives a view must use {@link #size()} and the dimensions, never {@code data().length}.
     */
    public static Tensor view(float[] storage, int... shape) {
        return new Tensor(storage, shape, true);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Math.toIntExact(Shape.size(shape))], shape);
    }

    /** Wraps {@code data} without copying. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    public static Tensor zerosLike(Tensor t) {
        return zeros(t.shape);
    }

    /**
     * A layer's reusable buffer: {@code previous} itself when it already has this shape, a view of its storage
     * when it has the same size, otherwise a new zero tensor. Layers keep their outputs and gradients this way so
     * that a training or inference step allocates nothing once shapes are steady. The values are whatever the
     * last use left: callers overwrite every element, or {@link #fill} first.
     */
    public static Tensor reuse(Tensor previous, int... shape) {
        if (previous != null) {
            if (Arrays.equals(previous.shape, shape)) {
                return previous;
            }
            if (previous.data.length == Shape.size(shape)) {
                return new Tensor(previous.data, shape);
            }
        }
        return zeros(shape);
    }

    public float[] data() {
        return data;
    }

    /**
     * A counter of in-place changes, for caches derived from this tensor (e.g. BatchNorm folded into a conv for
     * inference). Code that writes into {@link #data()} of a parameter after the model has run must call
     * {@link #markChanged()}; the optimizers and weight loaders do.
     */
    public int version() {
        return version;
    }

    public void markChanged() {
        version++;
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

    /** Number of elements: the product of the shape. */
    public int size() {
        return size;
    }

    /** A tensor sharing this storage with another shape of the same size. */
    public Tensor reshape(int... newShape) {
        if (Shape.size(newShape) != size) {
            throw new IllegalArgumentException("cannot reshape " + Shape.toString(shape) + " to "
                    + Shape.toString(newShape));
        }
        return new Tensor(data, newShape, true);
    }

    public Tensor copy() {
        return new Tensor(java.util.Arrays.copyOf(data, size), shape);
    }

    public boolean hasShape(int... s) {
        return Arrays.equals(shape, s);
    }

    public void fill(float v) {
        Arrays.fill(data, 0, size, v);
    }

    /** Element of a rank-2 tensor. */
    public float get(int i, int j) {
        return data[i * shape[1] + j];
    }

    /** Element of a rank-4 tensor. */
    public float get(int n, int c, int h, int w) {
        return data[((n * shape[1] + c) * shape[2] + h) * shape[3] + w];
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.toString(shape);
    }
}
