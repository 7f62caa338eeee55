package dev.googlenet.plan;

import dev.googlenet.kernels.LrnKernels;
import dev.googlenet.nn.Lrn;

/** Local response normalization (the paper variant's lrn1, lrn2). */
final class LrnStep implements Step {
    private final String name;
    private final LrnKernels.Params params;

    LrnStep(String name, Lrn lrn) {
        this.name = name;
        this.params = new LrnKernels.Params(lrn.size(), (lrn.size() - 1) / 2, lrn.size() / 2, lrn.alpha(), lrn.beta(),
                lrn.k());
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 4) {
            throw new IllegalArgumentException(name + ": expected an [N,C,H,W] input");
        }
        return in.clone();
    }

    @Override
    public long[] temporaries(int[] in, int threads) {
        return new long[] {(long) in[0] * in[1] * in[2] * in[3]}; // the scales (the kernel writes them)
    }

    @Override
    public void run(Frame f, PlanListener listener) {
        int[] in = f.inShape();
        long t = Step.now(listener);
        LrnKernels.forward(f.in(), f.temps()[0], f.out(), in[0], in[1], in[2] * in[3], params);
        Step.report(listener, name, "lrn", in[1] + " " + in[2] + "×" + in[3], t, 0);
    }
}
