package dev.googlenet.plan;

import dev.googlenet.kernels.Convolution;
import dev.googlenet.kernels.Pooling;

/**
 * A max pool and the 1×1 convolution block after it (the stem's maxpool1 → conv2): each group of images is pooled
 * just before its GEMM, by the thread that runs it, so the pooled maps are read from cache
 * ({@link Convolution#forwardPooled}). With fewer image groups than threads: pool the batch, then convolve.
 */
final class PoolConvStep implements Step {
    private final String name;
    private final MaxPoolStep pool;
    private final PlannedConv conv;

    PoolConvStep(String name, MaxPoolStep pool, PlannedConv conv) {
        if (!conv.geometry.isPointwise()) {
            throw new IllegalArgumentException(name + ": only a 1×1/1 convolution fuses with the pool before it");
        }
        this.name = name;
        this.pool = pool;
        this.conv = conv;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] pooled = pool.outputShape(in);
        if (pooled[1] != conv.geometry.inChannels()) {
            throw new IllegalArgumentException(name + ": expected " + conv.geometry.inChannels() + " channels, got "
                    + pooled[1]);
        }
        return new int[] {in[0], conv.geometry.outChannels(), pooled[2], pooled[3]};
    }

    @Override
    public long[] temporaries(int[] in, int threads) {
        int[] pooled = pool.outputShape(in);
        return Convolution.poolFuses(pooled[0], pooled[2] * pooled[3], threads) ? new long[0]
                : new long[] {(long) pooled[0] * pooled[1] * pooled[2] * pooled[3]};
    }

    @Override
    public void run(Frame f, PlanListener listener) {
        int[] in = f.inShape(), out = f.outShape();
        int n = in[0], c = in[1], ph = out[2], pw = out[3], cout = conv.geometry.outChannels();
        PoolWindow win = pool.window;
        long t = Step.now(listener);
        String detail = Step.convDetail(c, Integer.toString(cout), ph, pw);
        long macs = conv.multiplyAdds(n, ph, pw);
        if (conv.geometry.forwardPooled(f.pool(), f.gemm(), f.in(), n, in[2], in[3], win.on(in[2], in[3]),
                conv.filters(), conv.bias, true, new Convolution.Slice(f.out(), cout, 0, cout))) {
            Step.report(listener, name, "max pool + " + conv.kind(), detail, t, macs);
            return;
        }
        float[] pooled = f.temps()[0];
        Pooling.maxPool(f.pool(), f.in(), n * c, in[2], in[3], win.kernel(), win.stride(), win.padding(), ph, pw,
                pooled, null);
        Step.report(listener, name, "max pool", win.kernel() + "×" + win.kernel() + "/" + win.stride() + " " + c + " "
                + in[2] + "×" + in[3], t, 0);
        t = Step.now(listener);
        conv.run(f.pool(), f.gemm(), pooled, n, ph, pw, 0, f.out(), cout, 0);
        Step.report(listener, name, conv.kind(), detail, t, macs);
    }
}
