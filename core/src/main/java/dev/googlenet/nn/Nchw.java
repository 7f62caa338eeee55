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
}
