package dev.googlenet.kernels;

import java.util.List;

/**
 * A 2-D convolution's geometry and its forward pass over NCHW arrays, with the weights passed in: the kernel both
 * a training layer ({@code nn.Conv2d}) and an inference plan run. Immutable apart from two caches of the input
 * size's unfolding (immutable objects; a racing rebuild is harmless), so one instance may serve many threads.
 *
 * <p>As GEMMs: {@code Y[Cout, cols] = W[Cout, Cin·kh·kw] × col[Cin·kh·kw, cols]}, {@code col} being the im2col
 * unfolding ({@link Im2col}) of the input. A large output map gets one GEMM per image; on small maps (14×14, 7×7,
 * 4×4) a GEMM with only OH·OW columns wastes most of the register tile, so several images are unfolded side by side
 * into one matrix of at least {@link #BATCH_COLUMNS} columns ({@link #imagesPerGemm}), and the product is scattered
 * back into NCHW. Strided convolutions (the stem) skip the unfolding ({@link StridedConv}). Which algorithm runs a
 * 3×3/1 convolution (this, or Winograd) is {@link ConvAlgorithm}'s one rule.
 *
 * <p>Outputs go to {@link Slice}s: channel ranges of wider tensors, so that an Inception branch lands straight in
 * its part of the concatenation, and several convolutions of one input with stacked filters write each its own.
 *
 * <p>Determinism: how images are grouped depends on the batch and map size only, never on the thread count, and
 * every output element is computed by one thread in a fixed order: results are bitwise the same for any pool.
 */
public final class Convolution {
    /**
     * Least number of GEMM columns (images × output pixels) worth batching images for: below it, images are
     * unfolded side by side until a GEMM has at least this many (maps of at least this size get one GEMM each).
     */
    public static final int BATCH_COLUMNS = 256;

    /** Below this many values to move, unfolding or folding one group is not split over threads. */
    private static final long LOWERING_GRAIN = 1 << 15;

    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final int stride;
    private final int padding;
    private volatile Im2col lowering;
    private volatile StridedConv strided;

    /**
     * Where some output channels of a convolution go: channels {@code [offset, offset + channels)} of an NCHW
     * array {@code out} with {@code total} channels per image.
     */
    public record Slice(float[] out, int total, int offset, int channels) {
    }

    public Convolution(int inChannels, int outChannels, int kernelH, int kernelW, int stride, int padding) {
        if (inChannels <= 0 || outChannels <= 0 || kernelH <= 0 || kernelW <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("invalid convolution " + inChannels + "→" + outChannels + ", kernel "
                    + kernelH + "×" + kernelW + ", stride " + stride + ", padding " + padding);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.stride = stride;
        this.padding = padding;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernelH() {
        return kernelH;
    }

    public int kernelW() {
        return kernelW;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    /** 1×1/1 without padding: the input of one image already is the GEMM's right-hand matrix. */
    public boolean isPointwise() {
        return kernelH == 1 && kernelW == 1 && stride == 1 && padding == 0;
    }

    /** Output height for input height h (floor division, as PyTorch). */
    public int outH(int h) {
        return (h + 2 * padding - kernelH) / stride + 1;
    }

    /** Output width for input width w. */
    public int outW(int w) {
        return (w + 2 * padding - kernelW) / stride + 1;
    }

    /** Weights per output channel: {@code Cin·kh·kw}, the GEMM's k. */
    public int filterSize() {
        return inChannels * kernelH * kernelW;
    }

    /** This geometry's unfolding for h×w inputs (cached for the last size seen). */
    public Im2col lowering(int h, int w) {
        Im2col l = lowering;
        if (l == null || !l.matches(inChannels, h, w)) {
            l = new Im2col(inChannels, h, w, kernelH, kernelW, stride, padding);
            lowering = l;
        }
        return l;
    }

    private StridedConv stridedLowering(int h, int w) {
        StridedConv l = strided;
        if (l == null || !l.matches(inChannels, h, w)) {
            l = new StridedConv(inChannels, h, w, kernelH, kernelW, stride, padding);
            strided = l;
        }
        return l;
    }

    /**
     * Images per GEMM: enough for {@link #BATCH_COLUMNS} columns, with the batch spread evenly over the groups.
     * Depends on the batch and map size only, never on the thread count: results do not either.
     */
    public static int imagesPerGemm(int n, int ohw) {
        if (ohw >= BATCH_COLUMNS) {
            return 1;
        }
        int groups = Math.ceilDiv(n, Math.ceilDiv(BATCH_COLUMNS, ohw));
        return Math.ceilDiv(n, groups);
    }

    /**
     * {@code act(conv(x; w) + b)} for the n images of x ([n, Cin, h, w]) into the slices, in order: {@code w} holds
     * the filters of all slices one after the other (their channels summed), {@code b} their biases or null;
     * {@code relu} fuses the activation. Several slices are several convolutions of the same input with this
     * geometry, stacked: on small maps, where images are grouped into one GEMM anyway, the input is then unfolded and
     * read once for all of them (Inception's three 1×1 convolutions of its input). Groups of images run in
     * parallel, each one GEMM on one thread; fewer groups than threads run one after the other, each parallel
     * inside.
     */
    public void forward(Parallel pool, Gemm gemm, float[] x, int n, int h, int w, float[] weights, float[] b,
                        boolean relu, List<Slice> slices) {
        forward(pool, gemm, x, n, h, w, weights, null, b, relu, slices);
    }

    /**
     * {@link #forward(Parallel, Gemm, float[], int, int, int, float[], float[], boolean, List)} with filters packed
     * once for the GEMM (an inference plan's): bit for bit the same, faster.
     */
    public void forward(Parallel pool, Gemm gemm, float[] x, int n, int h, int w, PackedFilters filters, float[] b,
                        boolean relu, List<Slice> slices) {
        forward(pool, gemm, x, n, h, w, filters.rows(), checked(filters, slices), b, relu, slices);
    }

    /** The packed filters, checked to be this convolution's for these slices. */
    private PackedFilters checked(PackedFilters filters, List<Slice> slices) {
        int rows = 0;
        for (Slice sl : slices) {
            rows += sl.channels();
        }
        if (filters.m() != rows || filters.k() != filterSize()) {
            throw new IllegalArgumentException("packed filters [" + filters.m() + ", " + filters.k() + "] are not "
                    + "those of this convolution's " + rows + " output channels of " + filterSize() + " weights");
        }
        return filters;
    }

    /** The forward pass; {@code packed} is null or {@code weights} packed. */
    private void forward(Parallel pool, Gemm gemm, float[] x, int n, int h, int w, float[] weights,
                         PackedFilters packed, float[] b, boolean relu, List<Slice> slices) {
        int oh = outH(h), ow = outW(w);
        int rows = checkSlices(x, n, h, w, oh, ow, slices, weights, b);
        if (stride > 1 && slices.size() == 1) {
            stridedForward(pool, x, n, h, w, weights, packed, b, relu, slices.getFirst());
            return;
        }
        int nb = imagesPerGemm(n, oh * ow);
        int groups = Math.ceilDiv(n, nb);
        Im2col l = lowering(h, w);
        if (groups >= pool.threads()) {
            pool.parallelFor(groups, g -> forwardGroup(pool, gemm, x, h, w, g * nb, Math.min(nb, n - g * nb), l,
                    weights, packed, b, rows, relu, slices, false));
        } else {
            for (int g = 0; g < groups; g++) {
                forwardGroup(pool, gemm, x, h, w, g * nb, Math.min(nb, n - g * nb), l, weights, packed, b, rows,
                        relu, slices, true);
            }
        }
    }

    /**
     * Whether {@link #forwardPooled} runs fused for n images of {@code pooledPixels} pooled pixels on
     * {@code threads} threads: when there are at least as many image groups as threads.
     */
    public static boolean poolFuses(int n, int pooledPixels, int threads) {
        return Math.ceilDiv(n, imagesPerGemm(n, pooledPixels)) >= threads;
    }

    /** A max pool's geometry, for {@link #forwardPooled}. */
    public record MaxPool(int kernel, int stride, int padding, int outH, int outW) {
    }

    /**
     * This 1×1/1 convolution of {@code maxpool(x)} into one slice, as {@code forward(maxpool(x), ...)} gives it,
     * bit for bit; but each group of images is pooled just before its GEMM, by the thread that runs it, straight
     * into the GEMM's operand, so the GEMM reads the pooled maps from cache instead of the whole batch's from memory
     * (Inception's pool projection, the stem's conv2). Returns false, computing nothing, when there are fewer image
     * groups than threads: then pool the batch and run {@link #forward}.
     */
    public boolean forwardPooled(Parallel pool, Gemm gemm, float[] x, int n, int h, int w, MaxPool maxPool,
                                 float[] weights, float[] b, boolean relu, Slice slice) {
        return forwardPooled(pool, gemm, x, n, h, w, maxPool, weights, null, b, relu, slice);
    }

    /** {@link #forwardPooled(Parallel, Gemm, float[], int, int, int, MaxPool, float[], float[], boolean, Slice)}
     * with filters packed once for the GEMM: bit for bit the same, faster. */
    public boolean forwardPooled(Parallel pool, Gemm gemm, float[] x, int n, int h, int w, MaxPool maxPool,
                                 PackedFilters filters, float[] b, boolean relu, Slice slice) {
        return forwardPooled(pool, gemm, x, n, h, w, maxPool, filters.rows(), checked(filters, List.of(slice)), b,
                relu, slice);
    }

    private boolean forwardPooled(Parallel pool, Gemm gemm, float[] x, int n, int h, int w, MaxPool maxPool,
                                  float[] weights, PackedFilters packed, float[] b, boolean relu, Slice slice) {
        if (!isPointwise()) {
            throw new IllegalStateException("forwardPooled needs a 1×1/1 convolution, this is " + kernelH + "×"
                    + kernelW + "/" + stride);
        }
        int ph = maxPool.outH(), pw = maxPool.outW(), phw = ph * pw, pooledImage = inChannels * phw;
        if (!poolFuses(n, phw, pool.threads())) {
            return false;
        }
        int nb = imagesPerGemm(n, phw), groups = Math.ceilDiv(n, nb);
        List<Slice> slices = List.of(slice);
        checkSlices(null, n, ph, pw, ph, pw, slices, weights, b);
        pool.parallelFor(groups, g -> {
            int img0 = g * nb, count = Math.min(nb, n - img0);
            // pooled straight into the GEMM's operand: channel c of image i at row c, columns i·phw.. (no unfold)
            float[] col = scratch(0, count * pooledImage);
            for (int i = 0; i < count; i++) {
                Pooling.maxPoolPlanes(x, (img0 + i) * inChannels, (img0 + i + 1) * inChannels, h, w,
                        maxPool.kernel(), maxPool.stride(), maxPool.padding(), ph, pw, col, i * phw, count * phw);
            }
            gemmGroup(gemm, col, 0, img0, count, phw, weights, packed, b, relu, slices);
        });
        return true;
    }

    /** The output channels the slices take, checked against the output size and the weights. */
    private int checkSlices(float[] x, int n, int h, int w, int oh, int ow, List<Slice> slices, float[] weights,
                            float[] b) {
        if (x != null && (long) n * inChannels * h * w > x.length) {
            throw new IllegalArgumentException("convolution input [" + n + "," + inChannels + "," + h + "," + w
                    + "] needs " + (long) n * inChannels * h * w + " values, the array has " + x.length);
        }
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("convolution " + kernelH + "×" + kernelW + "/" + stride + " pad "
                    + padding + " has no output for a " + h + "×" + w + " input");
        }
        int rows = 0;
        for (Slice sl : slices) {
            if (sl.offset() < 0 || sl.channels() < 1 || sl.offset() + sl.channels() > sl.total()
                    || (long) n * sl.total() * oh * ow > sl.out().length) {
                throw new IllegalArgumentException("convolution output of " + sl.out().length + " values cannot take "
                        + sl.channels() + " channels at channel " + sl.offset() + " of [" + n + "," + sl.total() + ","
                        + oh + "," + ow + "]");
            }
            rows += sl.channels();
        }
        int k = filterSize();
        if (weights.length < rows * k || b != null && b.length < rows) {
            throw new IllegalArgumentException("convolution: " + rows + " output channels need " + rows * k
                    + " weights and " + rows + " biases, got " + weights.length + " and "
                    + (b == null ? 0 : b.length));
        }
        return rows;
    }

    /**
     * A strided convolution (the stem) forward without an im2col matrix: images in parallel, or, with fewer images
     * than threads, each image's output rows split among them.
     */
    private void stridedForward(Parallel p, float[] x, int n, int h, int w, float[] weights, PackedFilters packed,
                                float[] b, boolean relu, Slice sl) {
        StridedConv sc = stridedLowering(h, w);
        int inImage = inChannels * h * w, oh = sc.outH(), ohw = oh * sc.outW();
        int m = sl.channels(), outC = sl.total();
        float[] yd = sl.out();
        if (n >= p.threads()) {
            p.parallelFor(n, img -> {
                float[] planes = scratch(0, sc.phaseSize());
                sc.phases(x, img * inImage, planes);
                int yOff = (img * outC + sl.offset()) * ohw;
                sc.rows(planes, weights, packed, m, b, relu, yd, yOff, 0, oh, scratch(1, sc.scratchSize()));
            });
            return;
        }
        float[] planes = scratch(0, sc.phaseSize()); // the caller's, read by every task
        int tasks = Math.min(oh, p.threads() * Parallel.TASKS_PER_THREAD);
        for (int img = 0; img < n; img++) {
            int from = img * inImage;
            p.parallelFor(sc.phaseCount(), i -> sc.phase(x, from, planes, i));
            int yOff = (img * outC + sl.offset()) * ohw;
            p.parallelFor(tasks, t -> sc.rows(planes, weights, packed, m, b, relu, yd, yOff,
                    (int) ((long) oh * t / tasks), (int) ((long) oh * (t + 1) / tasks), scratch(1, sc.scratchSize())));
        }
    }

    /** Images [img0, img0+count) as one GEMM of all the slices' rows; {@code inner}: unfold over the pool too. */
    private void forwardGroup(Parallel pool, Gemm gemm, float[] x, int h, int w, int img0, int count, Im2col l,
                              float[] weights, PackedFilters packed, float[] b, int m, boolean relu,
                              List<Slice> slices, boolean inner) {
        int ohw = l.outH() * l.outW(), cols = count * ohw, k = filterSize();
        int inImage = inChannels * h * w;
        float[] col;
        int colOff = 0;
        if (isPointwise() && count == 1) {
            col = x; // one image of a 1×1/1 convolution already is the matrix
            colOff = img0 * inImage;
        } else {
            col = scratch(0, k * cols);
            unfold(pool, l, x, img0, count, inImage, col, ohw, cols, inner);
        }
        gemmGroup(gemm, col, colOff, img0, count, ohw, weights, packed, b, relu, slices);
    }

    /**
     * Images [img0, img0+count) as one GEMM on their unfolded input {@code col} (k rows of count·ohw columns from
     * colOff, image i's from column i·ohw), bias and activation fused, into the slices.
     */
    private void gemmGroup(Gemm gemm, float[] col, int colOff, int img0, int count, int ohw, float[] weights,
                           PackedFilters packed, float[] b, boolean relu, List<Slice> slices) {
        int cols = count * ohw, k = filterSize();
        if (count == 1) {
            // one GEMM straight into the slices, bias and ReLU in its merge: no scatter, no second pass
            int blocks = slices.size(), rows = 0;
            float[][] outs = new float[blocks][];
            int[] offsets = new int[blocks], firsts = new int[blocks];
            for (int i = 0; i < blocks; i++) {
                Slice sl = slices.get(i);
                outs[i] = sl.out();
                offsets[i] = (img0 * sl.total() + sl.offset()) * ohw;
                firsts[i] = rows;
                rows += sl.channels();
            }
            RowBlocks placed = new RowBlocks(outs, offsets, firsts, ohw, b, relu);
            if (packed != null) {
                gemm.sgemm(packed, ohw, col, colOff, ohw, placed);
            } else {
                gemm.sgemm(rows, ohw, k, weights, 0, k, col, colOff, ohw, placed);
            }
            return;
        }
        int m = 0;
        for (Slice sl : slices) {
            m += sl.channels();
        }
        float[] y = scratch(1, m * cols);
        if (packed != null) {
            gemm.sgemm(packed, cols, col, colOff, cols, RowBlocks.of(y, 0, cols, null, false));
        } else {
            gemm.sgemm(false, false, m, cols, k, weights, 0, k, col, colOff, cols, 0f, y, 0, cols);
        }
        int row = 0;
        for (Slice sl : slices) {
            for (int i = 0; i < count; i++) {
                Im2col.copyRows(y, row * cols + i * ohw, cols, sl.out(), ((img0 + i) * sl.total() + sl.offset()) * ohw,
                        ohw, sl.channels(), ohw, b, row, relu);
            }
            row += sl.channels();
        }
    }

    /**
     * im2col of images img0.. side by side (image i from column i·ohw); channels spread over the pool when
     * {@code inner}. Training's weight gradient unfolds the same way.
     */
    public void unfold(Parallel pool, Im2col l, float[] xd, int img0, int count, int inImage, float[] col, int ohw,
                       int cols, boolean inner) {
        int tasks = inner ? Math.min(inChannels, pool.tasksFor((long) filterSize() * cols, LOWERING_GRAIN)) : 1;
        if (tasks <= 1) {
            for (int i = 0; i < count; i++) {
                l.im2col(xd, (img0 + i) * inImage, col, i * ohw, cols, 0, inChannels);
            }
        } else {
            pool.parallelFor(tasks, t -> {
                int c0 = (int) ((long) inChannels * t / tasks), c1 = (int) ((long) inChannels * (t + 1) / tasks);
                for (int i = 0; i < count; i++) {
                    l.im2col(xd, (img0 + i) * inImage, col, i * ohw, cols, c0, c1);
                }
            });
        }
    }

    /** col2im of the images' side-by-side column gradients into dx (overwritten); channels over the pool when inner. */
    public void fold(Parallel pool, Im2col l, float[] dcol, int img0, int count, int inImage, float[] dx, int ohw,
                     int cols, boolean inner) {
        int tasks = inner ? Math.min(inChannels, pool.tasksFor((long) filterSize() * cols, LOWERING_GRAIN)) : 1;
        if (tasks <= 1) {
            for (int i = 0; i < count; i++) {
                l.col2im(dcol, i * ohw, cols, dx, (img0 + i) * inImage, 0, inChannels);
            }
        } else {
            pool.parallelFor(tasks, t -> {
                int c0 = (int) ((long) inChannels * t / tasks), c1 = (int) ((long) inChannels * (t + 1) / tasks);
                for (int i = 0; i < count; i++) {
                    l.col2im(dcol, i * ohw, cols, dx, (img0 + i) * inImage, c0, c1);
                }
            });
        }
    }

    /**
     * Per thread: [0] the unfolded input (then its gradient; or the pooled input of {@link #forwardPooled}), [1] a
     * group's output or output gradient. Shared by every convolution that runs on the thread.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    /** This thread's scratch buffer {@code which} (0 or 1), grown as needed and reused across layers and calls. */
    public static float[] scratch(int which, int size) {
        float[][] s = SCRATCH.get();
        if (s[which].length < size) {
            s[which] = new float[size];
        }
        return s[which];
    }
}
