package dev.googlenet.plan;

import dev.googlenet.kernels.Pooling;
import dev.googlenet.tensor.Shape;

/** A max pool between stages (maxpool1 … maxpool4), maxima only (inference needs no argmax). */
final class MaxPoolStep implements Step {
    private final String name;
    final PoolWindow window;

    MaxPoolStep(String name, PoolWindow window) {
        this.name = name;
        this.window = window;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] in) {
        Shape.requireNchw(in, in.length == 4 ? in[1] : -1, name);
        return window.outputShape(in, name);
    }

    @Override
    public void run(Frame f, PlanListener listener) {
        int[] in = f.inShape(), out = f.outShape();
        long t = Step.now(listener);
        Pooling.maxPool(f.pool(), f.in(), in[0] * in[1], in[2], in[3], window.kernel(), window.stride(),
                window.padding(), out[2], out[3], f.out(), null);
        Step.report(listener, name, "max pool", window.kernel() + "×" + window.kernel() + "/" + window.stride() + " "
                + in[1] + " " + in[2] + "×" + in[3], t, 0);
    }
}
