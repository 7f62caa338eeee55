package dev.googlenet.nn;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Input-gradient buffers shared by all layers of one kind on one thread, for gradients that the layer before
 * consumes at once: a convolution's (read by the BatchNorm, ReLU, pool or Inception sum before it), BatchNorm's
 * (read by its convolution in the same block's backward), max pooling's and a concatenation's slices. Each layer
 * keeping its own would hold one gradient per layer for the whole step — in GoogLeNet at batch 32 about 1.5 GB,
 * never live at the same time.
 *
 * <p>A gradient from here is a {@link Tensor#view view}: its storage may be larger than its shape (read
 * {@link Tensor#size()} elements), and it stays valid until the next backward of a layer of the same kind on the
 * same thread. Callers that keep one copy it.
 */
final class GradientScratch {
    /** Who shares a buffer: layers of one kind, whose gradients are never live at once. */
    enum Kind { CONVOLUTION, BATCH_NORM, MAX_POOL, CONCAT_PART }

    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[Kind.values().length][0]);

    private GradientScratch() {
    }

    /** This thread's buffer for {@code kind} seen as {@code shape} (grown as needed; contents undefined). */
    static Tensor take(Kind kind, int[] shape) {
        float[][] b = BUFFERS.get();
        long size = Shape.size(shape);
        if (b[kind.ordinal()].length < size) {
            b[kind.ordinal()] = new float[Math.toIntExact(size)];
        }
        return Tensor.view(b[kind.ordinal()], shape);
    }
}
