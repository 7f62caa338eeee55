package dev.googlenet.plan;

import dev.googlenet.kernels.Convolution;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.tensor.Shape;

/** A max pool's window, copied from the model's layer (which keeps buffers; the plan keeps only this). */
record PoolWindow(int kernel, int stride, int padding, boolean ceilMode) {
    static PoolWindow of(MaxPool2d p) {
        return new PoolWindow(p.kernel(), p.stride(), p.padding(), p.ceilMode());
    }

    int[] outputShape(int[] in, String who) {
        try {
            return new int[] {in[0], in[1], Shape.pooledSize(in[2], kernel, stride, padding, ceilMode),
                    Shape.pooledSize(in[3], kernel, stride, padding, ceilMode)};
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(who + ": input " + Shape.toString(in) + ": " + e.getMessage(), e);
        }
    }

    /** This window on h×w maps, for {@link Convolution#forwardPooled}. */
    Convolution.MaxPool on(int h, int w) {
        return new Convolution.MaxPool(kernel, stride, padding, Shape.pooledSize(h, kernel, stride, padding, ceilMode),
                Shape.pooledSize(w, kernel, stride, padding, ceilMode));
    }
}
