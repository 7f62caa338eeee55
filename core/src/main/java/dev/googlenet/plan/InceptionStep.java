package dev.googlenet.plan;

import dev.googlenet.kernels.Convolution;
import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.kernels.Pooling;
import dev.googlenet.kernels.Winograd3x3;
import dev.googlenet.model.ConvBlock;
import dev.googlenet.model.Inception;
import dev.googlenet.model.InceptionSpec;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.nn.Sequential;
import dev.googlenet.tensor.Shape;

import java.util.List;

/**
 * An Inception module as inference runs it. Every branch writes straight into its slice of the output (no concat
 * copy). The three 1×1 convolutions of the input (branch 1 and the 3×3 and 5×5 reductions) run as one GEMM with
 * their filters stacked, which unfolds and reads the input once for all three; the reductions land in two
 * temporaries that the 3×3 and "5×5" convolutions read. Branch 4's max pool runs image group by image group just
 * before the projection's GEMM, so the pooled maps are read from cache.
 *
 * <p>One image on several threads: the branches after the 1×1s run side by side instead of one after the other,
 * each on all threads. One thread runs the "5×5" branch and the pool branch alone while the others start on the
 * 3×3 convolution, which it joins when done ({@link Winograd3x3#shared}): those two small branches gained little
 * from a second thread, and the parts of the 3×3 convolution balance the load. The same results, bit for bit.
 */
final class InceptionStep implements Step {
    private final String name;
    private final InceptionSpec spec;
    private final PlannedConv stacked; // branch1 + reduce3 + reduce5, or null when they run one by one
    private final PlannedConv branch1;
    private final PlannedConv reduce3;
    private final PlannedConv reduce5;
    private final PlannedConv conv3;
    private final PlannedConv conv5;
    private final PoolWindow pool;
    private final PlannedConv projection;
    private final Fusions fusions;

    InceptionStep(String name, Inception inception, Fusions fusions) {
        this.name = name;
        this.spec = inception.spec();
        this.fusions = fusions;
        List<Layer> b = inception.branches();
        this.branch1 = PlannedConv.of((ConvBlock) b.get(0), fusions.packFilters());
        this.reduce3 = PlannedConv.of(block(b.get(1), 0), fusions.packFilters());
        this.conv3 = PlannedConv.of(block(b.get(1), 1), fusions.packFilters());
        this.reduce5 = PlannedConv.of(block(b.get(2), 0), fusions.packFilters());
        this.conv5 = PlannedConv.of(block(b.get(2), 1), fusions.packFilters());
        this.pool = PoolWindow.of((MaxPool2d) ((Sequential) b.get(3)).layers().get(0));
        this.projection = PlannedConv.of(block(b.get(3), 1), fusions.packFilters());
        this.stacked = fusions.stackPointwise() ? PlannedConv.stack(List.of(branch1, reduce3, reduce5)) : null;
    }

    private static ConvBlock block(Layer branch, int i) {
        return (ConvBlock) ((Sequential) branch).layers().get(i);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int[] outputShape(int[] in) {
        Shape.requireNchw(in, spec.in(), name);
        int[] pooled = pool.outputShape(in, name);
        if (pooled[2] != in[2] || pooled[3] != in[3]) {
            throw new IllegalArgumentException(name + ": branch 4's pool must keep the map size");
        }
        return new int[] {in[0], spec.out(), in[2], in[3]};
    }

    /** A one-thread pool and its GEMM: the side branches' own thread runs them alone. */
    private static final Parallel ALONE = new Parallel(1);
    private static final Gemm ALONE_GEMM = Kernels.gemm(ALONE);

    /** Whether the branches run side by side: one image on several threads, the 3×3 convolution by Winograd. */
    private boolean sideBySide(int n, int h, int w, int threads) {
        return fusions.sideBySide() && n == 1 && threads > 1 && conv3.winogradTile(n, h, w, fusions.winograd()) > 0;
    }

    @Override
    public long[] temporaries(int[] in, int threads) {
        long maps = (long) in[0] * in[2] * in[3];
        boolean fused = fusions.fusePool() && (Convolution.poolFuses(in[0], in[2] * in[3], threads)
                || sideBySide(in[0], in[2], in[3], threads));
        return fused ? new long[] {maps * spec.c3x3red(), maps * spec.c5x5red()}
                : new long[] {maps * spec.c3x3red(), maps * spec.c5x5red(), maps * spec.in()};
    }

    @Override
    public void run(Frame f, PlanListener listener) {
        int[] in = f.inShape();
        int n = in[0], h = in[2], w = in[3], total = spec.out();
        float[] x = f.in(), y = f.out(), r3 = f.temps()[0], r5 = f.temps()[1];
        int c1 = spec.c1x1(), c3 = spec.c3x3();
        long t = Step.now(listener);
        if (stacked != null) {
            stacked.geometry.forward(f.pool(), f.gemm(), x, n, h, w, stacked.filters(), stacked.bias, true, List.of(
                    new Convolution.Slice(y, total, 0, c1),
                    new Convolution.Slice(r3, spec.c3x3red(), 0, spec.c3x3red()),
                    new Convolution.Slice(r5, spec.c5x5red(), 0, spec.c5x5red())));
            Step.report(listener, name, "conv 1×1/1", Step.convDetail(spec.in(), c1 + "+" + spec.c3x3red() + "+"
                    + spec.c5x5red(), h, w), t, stacked.multiplyAdds(n, h, w));
        } else {
            branch1.run(f.pool(), f.gemm(), x, n, h, w, 0, y, total, 0);
            reduce3.run(f.pool(), f.gemm(), x, n, h, w, 0, r3, spec.c3x3red(), 0);
            reduce5.run(f.pool(), f.gemm(), x, n, h, w, 0, r5, spec.c5x5red(), 0);
            Step.report(listener, name, "conv 1×1/1", Step.convDetail(spec.in(), c1 + "," + spec.c3x3red() + ","
                    + spec.c5x5red(), h, w), t, (branch1.multiplyAdds(n, h, w) + reduce3.multiplyAdds(n, h, w)
                    + reduce5.multiplyAdds(n, h, w)));
        }
        if (sideBySide(n, h, w, f.pool().threads())) {
            branchesSideBySide(f, listener);
            return;
        }
        tail(f, listener, conv3, r3, c1);
        tail(f, listener, conv5, r5, c1 + c3);
        poolBranch(f.pool(), f.gemm(), x, n, h, w, y, pooledTemporary(f), listener);
    }

    /**
     * The 3×3 convolution shared by all threads, the "5×5" and pool branches on the last one first (see the class
     * comment). One image.
     */
    private void branchesSideBySide(Frame f, PlanListener listener) {
        int[] in = f.inShape();
        int h = in[2], w = in[3], total = spec.out(), c1 = spec.c1x1(), c3 = spec.c3x3();
        float[] x = f.in(), y = f.out(), r3 = f.temps()[0], r5 = f.temps()[1];
        long t = Step.now(listener);
        int threads = f.pool().threads();
        Runnable conv3Parts = Winograd3x3.shared(r3, 0, spec.c3x3red(), h, w,
                conv3.winograd(conv3.winogradTile(1, h, w, fusions.winograd())), conv3.bias, true, y, 0, total, c1);
        f.pool().parallelFor(threads, task -> {
            if (task == threads - 1) {
                conv5.run(ALONE, ALONE_GEMM, r5, 1, h, w, conv5.winogradTile(1, h, w, fusions.winograd()), y, total,
                        c1 + c3);
                poolBranch(ALONE, ALONE_GEMM, x, 1, h, w, y, pooledTemporary(f), null);
            }
            conv3Parts.run();
        });
        Step.report(listener, name, "branches side by side", Step.convDetail(spec.in(), c3 + "+" + spec.c5x5() + "+"
                + spec.poolProj(), h, w), t, conv3.multiplyAdds(1, h, w) + conv5.multiplyAdds(1, h, w)
                + projection.multiplyAdds(1, h, w));
    }

    /** The third temporary, for the pooled input when the pool does not fuse ({@link #temporaries}); else null. */
    private static float[] pooledTemporary(Frame f) {
        return f.temps().length > 2 ? f.temps()[2] : null;
    }

    /**
     * Branch 4 of n images on {@code workers}: the max pool fused into the projection, or into {@code pooled} (the
     * third temporary, null when fused) and then projected. {@code listener} may be null.
     */
    private void poolBranch(Parallel workers, Gemm gemm, float[] x, int n, int h, int w, float[] y, float[] pooled,
                            PlanListener listener) {
        int offset = spec.c1x1() + spec.c3x3() + spec.c5x5(), pp = spec.poolProj(), total = spec.out();
        String detail = Step.convDetail(spec.in(), Integer.toString(pp), h, w);
        long t = Step.now(listener);
        if (fusions.fusePool() && projection.geometry.forwardPooled(workers, gemm, x, n, h, w, pool.on(h, w),
                projection.filters(), projection.bias, true, new Convolution.Slice(y, total, offset, pp))) {
            Step.report(listener, name, "max pool + conv 1×1/1", detail, t, projection.multiplyAdds(n, h, w));
            return;
        }
        Pooling.maxPool(workers, x, n * spec.in(), h, w, pool.kernel(), pool.stride(), pool.padding(), h, w,
                pooled, null);
        Step.report(listener, name, "max pool", "3×3/1 " + spec.in() + " " + h + "×" + w, t, 0);
        t = Step.now(listener);
        projection.run(workers, gemm, pooled, n, h, w, 0, y, total, offset);
        Step.report(listener, name, "conv 1×1/1", detail, t, projection.multiplyAdds(n, h, w));
    }

    /** Branch 2's or 3's second convolution: from its reduction into its slice of the output. */
    private void tail(Frame f, PlanListener listener, PlannedConv conv, float[] reduced, int offset) {
        int[] in = f.inShape();
        int n = in[0], h = in[2], w = in[3];
        long t = Step.now(listener);
        int tile = conv.winogradTile(n, h, w, fusions.winograd());
        conv.run(f.pool(), f.gemm(), reduced, n, h, w, tile, f.out(), spec.out(), offset);
        Step.report(listener, name, conv.kind(tile), Step.convDetail(
                conv.geometry.inChannels(), Integer.toString(conv.geometry.outChannels()), h, w), t,
                conv.multiplyAdds(n, h, w));
    }
}
