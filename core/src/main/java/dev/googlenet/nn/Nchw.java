package dev.googlenet.nn;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/** Argument checks shared by the layers that take [N, C, H, W] activations with any channel count. */
final class Nchw {
    private Nchw() {
    }

    /** Fails with a message naming the layer unless {@code shape} has rank 4 and no zero-sized dimension. */
    static void require(int[] shape, String who) {
        if (shape.length != 4) {
            throw new IllegalArgumentException(who + ": expected input [N,C,H,W], got " + Shape.toString(shape));
        }
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(who + ": empty input " + Shape.toString(shape));
            }
        }
    }

    /** Checks a sliding window's settings; padding must leave every window at least one input element. */
    static void requireWindow(int kernel, int stride, int padding, String who) {
        if (kernel < 1 || stride < 1 || padding < 0 || padding >= kernel) {
            throw new IllegalArgumentException(who + ": need kernel >= 1, stride >= 1, 0 <= padding < kernel; got kernel "
                    + kernel + ", stride " + stride + ", padding " + padding);
        }
    }

    /** Fails unless {@code gradOut} has the shape of the last forward's output (and forward has run). */
    static void requireGrad(Tensor gradOut, int[] expected, String who) {
        if (expected == null) {
            throw new IllegalStateException(who + ": backward called before forward");
        }
        if (!gradOut.hasShape(expected)) {
            throw new IllegalArgumentException(who + ": gradient shape " + Shape.toString(gradOut.shape())
                    + " does not match output shape " + Shape.toString(expected));
        }
    }

    /** Sum of the window rows [h0, h1) × columns [w0, w1) of the plane at {@code base} (width w), in row order. */
    static float windowSum(float[] in, int base, int w, int h0, int h1, int w0, int w1) {
        float sum = 0f; // float accumulator, like PyTorch's CPU kernels for float32
        for (int r = h0; r < h1; r++) {
            for (int c = w0; c < w1; c++) {
                sum += in[base + r * w + c];
            }
        }
        return sum;
    }

    /** Adds {@code share} to every element of the window (windows may overlap: accumulated). */
    static void spread(float[] d, int base, int w, int h0, int h1, int w0, int w1, float share) {
        for (int r = h0; r < h1; r++) {
            for (int c = w0; c < w1; c++) {
                d[base + r * w + c] += share;
            }
        }
    }
}
