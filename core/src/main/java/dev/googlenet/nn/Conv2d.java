package dev.googlenet.nn;

import dev.googlenet.kernels.Epilogue;
import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.Im2col;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.kernels.Pooling;
import dev.googlenet.kernels.StridedConv;
import dev.googlenet.kernels.VectorGemm;
import dev.googlenet.kernels.Winograd3x3;
import dev.googlenet.kernels.WinogradWeightGradient;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.List;

/**
 * 2-D convolution over NCHW input as GEMMs: {@code Y[Cout, cols] = W[Cout, Cin·kh·kw] × col[Cin·kh·kw, cols]},
 * {@code col} being the im2col unfolding ({@link Im2col}) of the input. A large output map gets one GEMM per
 * image; on small maps (the Inception blocks of a small-input network: 14×14, 7×7, 4×4) a GEMM with only
 * OH·OW = 196, 49 or 16 columns wastes most of the 6×64 register tile, so several images are unfolded side by side
 * into one matrix of at least {@link #BATCH_COLUMNS} columns, and the product is scattered back into NCHW.
 * Backward does the same with {@code dY}: {@code dW += dY·colᵀ} then has a long k, and {@code dcol = Wᵀ·dY} is
 * folded back per image. Backward recomputes {@code col} instead of keeping it, to save memory.
 *
 * <p>3×3/1 "same" convolutions with enough input channels ({@link #WINOGRAD_MIN_CHANNELS}) run forward and the
 * input gradient by Winograd's F(m×m, 3×3) ({@link Winograd3x3}) instead, 2.25–4× fewer multiplies: the input
 * gradient is itself such a convolution, of dY with the filters transposed and turned by 180°. The filters are
 * transformed on every call (the weights change every step; it costs about one image's worth of the
 * convolution). When the input gradient needs no unfolding, the weight gradient runs by F(4×4, 3×3) too
 * ({@link WinogradWeightGradient}: the forward's algorithm transposed, 36 GEMMs whose k is the images' tiles).
 *
 * <p>Buffers: the tensor {@link #forward} returns is this layer's, reused by its next forward, and the one
 * {@link #backward} returns is reused by its next backward: each stays valid only until then (copy it to keep it).
 * Scratch matrices are per thread and the weight-gradient partials per layer, so steady-state steps allocate
 * nothing here.
 *
 * <p>Determinism: forward and the input gradient are bitwise the same for any thread count (how images are grouped
 * depends on the batch and map size only). The weight gradient is summed in a fixed number of chunks (one per
 * thread, at most one per image group), each in image order, and the chunks are added in order: deterministic for
 * a given thread count.
 */
public final class Conv2d implements Layer {
    private final int inChannels;
    private final int outChannels;
    private final int kernelH;
    private final int kernelW;
    private final int stride;
    private final int padding;
    private final Param weight;
    private final Param bias; // null when the convolution has no bias (it is followed by BatchNorm)
    /**
     * Least number of GEMM columns (images × output pixels) worth batching images for: below it, images are
     * unfolded side by side until a GEMM has at least this many (maps of at least this size get one GEMM each).
     */
    static final int BATCH_COLUMNS = Integer.getInteger("googlenet.conv.columns", 256);

    /**
     * Least input channels (of the convolution that runs: Cin forward, Cout for the input gradient) for Winograd.
     * With fewer, its transforms cost more than the multiplies saved. Measured on the small-input network at batch
     * 128 (forward): 12→36 at 14×14 1.41 ms by GEMM against 1.71 ms by Winograd, 36→48 4.97 against 3.57, 24→72
     * at 28×28 17.9 against 10.3. {@code -Dgooglenet.winograd=false} turns Winograd off everywhere.
     */
    static final int WINOGRAD_MIN_CHANNELS = Integer.getInteger("googlenet.winograd.minChannels", 24);
    static final boolean WINOGRAD = Boolean.parseBoolean(System.getProperty("googlenet.winograd", "true"));

    private Parallel pool; // null: the engine's pool
    private Gemm gemm = Kernels.gemm();

    private Tensor input;
    private Tensor output;
    private Tensor gradInput;
    /** Weight-gradient sums of chunks 1.. (chunk 0 adds straight into the gradient), kept between steps. */
    private float[][] partials = new float[0][];
    /** Unfolding for the last input size seen. */
    private volatile Im2col lowering;
    private volatile StridedConv strided;
    /** False for a first layer, whose input (the images) needs no gradient: backward then returns null. */
    private boolean inputGradient = true;
    /** Tests: true = Winograd whenever the shape allows it, false = never; null = by {@link #WINOGRAD_MIN_CHANNELS}. */
    private Boolean winogradForced;
    /** Transformed filters of forward and of the input gradient, rewritten in place on every call. */
    private Winograd3x3.Weights winogradForward;
    private Winograd3x3.Weights winogradBackward;
    private WinogradWeightGradient winogradWeightGradient;

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias) {
        this(inChannels, outChannels, kernel, kernel, stride, padding, bias);
    }

    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, int stride, int padding, boolean bias) {
        if (inChannels <= 0 || outChannels <= 0 || kernelH <= 0 || kernelW <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("invalid Conv2d(" + inChannels + "→" + outChannels + ", kernel "
                    + kernelH + "×" + kernelW + ", stride " + stride + ", padding " + padding + ")");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.stride = stride;
        this.padding = padding;
        this.weight = new Param("weight", Tensor.zeros(outChannels, inChannels, kernelH, kernelW), Param.Kind.WEIGHT);
        this.bias = bias ? new Param("bias", Tensor.zeros(outChannels), Param.Kind.BIAS) : null;
    }

    public Param weight() {
        return weight;
    }

    /** The bias, or null for a convolution without one. */
    public Param bias() {
        return bias;
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

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {in[0], outChannels,
                Shape.pooledSize(in[2], kernelH, stride, padding, false),
                Shape.pooledSize(in[3], kernelW, stride, padding, false)};
    }

    @Override
    public long multiplyAdds(int[] in) {
        int[] out = outputShape(in);
        return (long) out[0] * out[1] * out[2] * out[3] * inChannels * kernelH * kernelW;
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        visitor.param(Layer.join(prefix, "weight"), weight);
        if (bias != null) {
            visitor.param(Layer.join(prefix, "bias"), bias);
        }
    }

    /** Runs this layer, its GEMMs included, on {@code pool} instead of the engine's pool (tests compare counts). */
    Conv2d usePool(Parallel pool) {
        this.pool = pool;
        this.gemm = new VectorGemm(pool);
        return this;
    }

    /**
     * Whether {@link #backward} computes the input gradient (default true). A network's first convolution does not
     * need it: its input is the data. Without it, backward computes the parameter gradients only and returns null.
     */
    public void setInputGradient(boolean needed) {
        this.inputGradient = needed;
    }

    /** Tests: Winograd whenever the shape allows it (true), never (false), or by channel count (null). */
    Conv2d forceWinograd(Boolean on) {
        this.winogradForced = on;
        return this;
    }

    /** Whether Winograd can run this convolution: 3×3, stride 1, padding 1, and not turned off. */
    public boolean winogradShape() {
        return WINOGRAD && kernelH == 3 && kernelW == 3 && stride == 1 && padding == 1;
    }

    /**
     * Winograd's tile for this convolution run with {@code in} input and {@code out} output channels on h×w maps
     * (Cin → Cout forward, Cout → Cin for the input gradient), or 0 for im2col + GEMM. Besides enough input
     * channels it takes 16 or more output channels (a 24 → 1 input gradient ran 3.5× slower than by GEMM) and, for
     * the input gradient, maps larger than 4×4 (there it measured 10–20% slower; forward was faster).
     */
    int winogradTile(int in, int out, int h, int w, boolean inputGradient) {
        if (!winogradShape() || Boolean.FALSE.equals(winogradForced)) {
            return 0;
        }
        int tile = Winograd3x3.suggestedTile(in, out, h, w);
        if (Boolean.TRUE.equals(winogradForced)) {
            return tile == 0 ? 2 : tile;
        }
        return in >= WINOGRAD_MIN_CHANNELS && out >= 16 && (!inputGradient || h * w > 16) ? tile : 0;
    }

    /**
     * Whether the weight gradient runs by Winograd ({@link WinogradWeightGradient}) rather than im2col + GEMM;
     * only when the input gradient does not need the unfolding (it is computed by Winograd, or not at all).
     * F(4×4, 3×3) has fewer Winograd points than F(2×2) on every GoogLeNet map (7×7: 144 against 256 per
     * image) and measured faster or level; {@code -Dgooglenet.winograd.dwTile=2} picks F(2×2),
     * {@code -Dgooglenet.winograd.weightGradient=false} im2col + GEMM.
     */
    boolean winogradWeightGradient() {
        if (!winogradShape() || !WINOGRAD_WEIGHT_GRADIENT || Boolean.FALSE.equals(winogradForced)) {
            return false;
        }
        return Boolean.TRUE.equals(winogradForced) || inChannels >= 8 && outChannels >= 16;
    }

    private static final boolean WINOGRAD_WEIGHT_GRADIENT =
            !"false".equals(System.getProperty("googlenet.winograd.weightGradient"));
    private static final int WINOGRAD_WEIGHT_GRADIENT_TILE = Integer.getInteger("googlenet.winograd.dwTile", 4);

    private Parallel pool() {
        return pool != null ? pool : Parallel.get();
    }

    private Im2col lowering(int h, int w) {
        Im2col l = lowering;
        if (l == null || !l.matches(inChannels, h, w)) {
            l = new Im2col(inChannels, h, w, kernelH, kernelW, stride, padding);
            lowering = l;
        }
        return l;
    }

    /**
     * Images per GEMM: enough for {@link #BATCH_COLUMNS} columns, with the batch spread evenly over the groups.
     * Depends on the batch and map size only, never on the thread count: results do not either.
     */
    static int imagesPerGemm(int n, int ohw) {
        if (ohw >= BATCH_COLUMNS) {
            return 1;
        }
        int groups = Math.ceilDiv(n, Math.ceilDiv(BATCH_COLUMNS, ohw));
        return Math.ceilDiv(n, groups);
    }

    /**
     * {@inheritDoc} The returned tensor is this layer's buffer: valid until its next forward.
     */
    @Override
    public Tensor forward(Tensor x, boolean training) {
        Shape.requireNchw(x, inChannels, "Conv2d");
        output = Tensor.reuse(output, outputShape(x.shape())); // every element is overwritten
        float[] b = bias == null ? null : bias.value().data();
        int tile = winogradTile(inChannels, outChannels, x.dim(2), x.dim(3), false);
        if (tile > 0) {
            winogradForward = Winograd3x3.transformWeights(pool(), weight.value().data(), 0, outChannels, inChannels,
                    tile, false, winogradForward);
            Winograd3x3.forwardBatch(pool(), x.data(), x.dim(0), inChannels, x.dim(2), x.dim(3), winogradForward, b,
                    false, output.data(), outChannels, 0);
        } else {
            forwardInto(x, weight.value().data(), b, false, output, 0);
        }
        input = x;
        return output;
    }

    /** Channels {@code [offset, offset + channels)} of {@code out}: where some rows of a convolution's output go. */
    public record Slice(Tensor out, int offset, int channels) {
    }

    /**
     * Inference building block: writes {@code act(conv(x; w) + b)} into channels {@code [offset, offset+Cout)}
     * of {@code out} (so Inception branches land straight in their slice of the concatenation). {@code w} has this
     * layer's weight layout; {@code b} may be null; {@code relu} fuses the activation. Groups of images (see
     * {@link #imagesPerGemm}) run in parallel, each one GEMM on one thread; fewer groups than threads run one
     * after the other, each parallel inside.
     */
    public void forwardInto(Tensor x, float[] w, float[] b, boolean relu, Tensor out, int offset) {
        forwardInto(x, w, b, relu, List.of(new Slice(out, offset, outChannels)));
    }

    /**
     * As above for several convolutions of the same input with this one's kernel, stride and padding, stacked:
     * {@code w} holds their filters one after the other (their output channels summed: the slices' channels), and
     * the slices say where each one's output channels go, in order. On small maps, where images are grouped into
     * one GEMM anyway, the input is then unfolded and read once for all of them (Inception's three 1×1
     * convolutions of its input).
     */
    public void forwardInto(Tensor x, float[] w, float[] b, boolean relu, List<Slice> slices) {
        Shape.requireNchw(x, inChannels, "Conv2d");
        int[] os = outputShape(x.shape());
        int rows = checkSlices(os, slices, w, b);
        if (STRIDED && stride > 1 && slices.size() == 1) {
            stridedForward(x, w, b, relu, slices.getFirst());
            return;
        }
        int m = rows;
        int n = os[0];
        int nb = imagesPerGemm(n, os[2] * os[3]);
        int groups = Math.ceilDiv(n, nb);
        Im2col l = lowering(x.dim(2), x.dim(3));
        Parallel p = pool();
        if (groups >= p.threads()) {
            p.parallelFor(groups, g -> forwardGroup(x, g * nb, Math.min(nb, n - g * nb), l, w, b, m, relu, slices,
                    false));
        } else {
            for (int g = 0; g < groups; g++) {
                forwardGroup(x, g * nb, Math.min(nb, n - g * nb), l, w, b, m, relu, slices, true);
            }
        }
    }

    /**
     * Inference of this 1×1/1 convolution on {@code pool(x)} into one slice, as {@code forwardInto(pool(x), ...)}
     * gives it, bit for bit; but each group of images is pooled just before its GEMM, by the thread that runs it,
     * so the GEMM reads the pooled maps from cache instead of the whole batch's from memory (Inception's pool
     * projection, the stem's conv2). With fewer groups than threads: pool, then {@link #forwardInto}. Profiling
     * charges the time to the pool and to this layer in the ratio of the threads' time in each.
     */
    public void forwardPooled(Tensor x, MaxPool2d maxPool, float[] w, float[] b, boolean relu, Tensor out,
                              int offset) {
        if (!isPointwise()) {
            throw new IllegalStateException("Conv2d: forwardPooled needs a 1×1/1 convolution, this is " + kernelH
                    + "×" + kernelW + "/" + stride);
        }
        Shape.requireNchw(x, inChannels, "Conv2d");
        int[] ps = maxPool.outputShape(x.shape());
        int n = ps[0], ph = ps[2], pw = ps[3], phw = ph * pw, pooledImage = inChannels * phw;
        int nb = imagesPerGemm(n, phw), groups = Math.ceilDiv(n, nb);
        Parallel p = pool();
        if (groups < p.threads()) {
            Tensor pooled = Profiler.forward(maxPool, x, false);
            Profiler.time(this, ps, () -> forwardInto(pooled, w, b, relu, out, offset));
            return;
        }
        List<Slice> slices = List.of(new Slice(out, offset, outChannels));
        checkSlices(ps, slices, w, b);
        boolean timing = Profiler.enabled();
        long[] nanos = timing ? new long[2 * groups] : null; // per group: pooling, convolution
        long t0 = System.nanoTime();
        p.parallelFor(groups, g -> {
            int img0 = g * nb, count = Math.min(nb, n - img0);
            long t = timing ? System.nanoTime() : 0;
            // pooled straight into the GEMM's operand: channel c of image i at row c, columns i·phw.. (no unfold)
            float[] col = scratch(SCRATCH.get(), 0, count * pooledImage);
            for (int i = 0; i < count; i++) {
                Pooling.maxPoolPlanes(x.data(), (img0 + i) * inChannels, (img0 + i + 1) * inChannels, x.dim(2),
                        x.dim(3), maxPool.kernel(), maxPool.stride(), maxPool.padding(), ph, pw, col, i * phw,
                        count * phw);
            }
            long t1 = timing ? System.nanoTime() : 0;
            gemmGroup(col, 0, img0, count, phw, w, b, outChannels, relu, slices);
            if (timing) {
                nanos[2 * g] = t1 - t;
                nanos[2 * g + 1] = System.nanoTime() - t1;
            }
        });
        if (timing) {
            long wall = System.nanoTime() - t0, pooling = 0, conv = 0;
            for (int g = 0; g < groups; g++) {
                pooling += nanos[2 * g];
                conv += nanos[2 * g + 1];
            }
            long poolShare = Math.round((double) wall * pooling / Math.max(1, pooling + conv));
            Profiler.add(Profiler.category(maxPool, x.shape()) + " fwd", poolShare, 0);
            Profiler.add(Profiler.category(this, ps) + " fwd", wall - poolShare, multiplyAdds(ps));
        }
    }

    /** The output channels the slices take, checked against the output shape {@code os} and the weights. */
    private int checkSlices(int[] os, List<Slice> slices, float[] w, float[] b) {
        int rows = 0;
        for (Slice sl : slices) {
            Tensor out = sl.out();
            if (out.rank() != 4 || out.dim(0) != os[0] || out.dim(2) != os[2] || out.dim(3) != os[3]
                    || sl.offset() < 0 || sl.channels() < 1 || sl.offset() + sl.channels() > out.dim(1)) {
                throw new IllegalArgumentException("Conv2d: output " + Shape.toString(out.shape()) + " cannot take "
                        + sl.channels() + " channels of " + Shape.toString(os) + " at channel " + sl.offset());
            }
            rows += sl.channels();
        }
        int k = inChannels * kernelH * kernelW;
        if (w.length < rows * k || b != null && b.length < rows) {
            throw new IllegalArgumentException("Conv2d: " + rows + " output channels need " + rows * k
                    + " weights and " + rows + " biases, got " + w.length + " and " + (b == null ? 0 : b.length));
        }
        return rows;
    }

    /** Whether strided convolutions run forward without an unfolding ({@link StridedConv}); off for A/B timing. */
    private static final boolean STRIDED = !"false".equals(System.getProperty("googlenet.conv.strided"));

    /**
     * A strided convolution (the stem) forward without an im2col matrix: images in parallel, or, with fewer images
     * than threads, each image's output rows split among them.
     */
    private void stridedForward(Tensor x, float[] w, float[] b, boolean relu, Slice sl) {
        StridedConv sc = stridedLowering(x.dim(2), x.dim(3));
        int n = x.dim(0), inImage = inChannels * x.dim(2) * x.dim(3), oh = sc.outH(), ohw = oh * sc.outW();
        int m = sl.channels(), outC = sl.out().dim(1);
        float[] yd = sl.out().data();
        Parallel p = pool();
        if (n >= p.threads()) {
            p.parallelFor(n, img -> {
                float[][] s = SCRATCH.get();
                float[] planes = scratch(s, 0, sc.phaseSize());
                sc.phases(x.data(), img * inImage, planes);
                int yOff = (img * outC + sl.offset()) * ohw;
                sc.rows(planes, w, m, b, relu, yd, yOff, 0, oh, scratch(s, 1, sc.scratchSize()));
            });
            return;
        }
        float[] planes = scratch(SCRATCH.get(), 0, sc.phaseSize()); // the caller's, read by every task
        int tasks = Math.min(oh, p.threads() * Parallel.TASKS_PER_THREAD);
        for (int img = 0; img < n; img++) {
            sc.phases(x.data(), img * inImage, planes);
            int yOff = (img * outC + sl.offset()) * ohw;
            p.parallelFor(tasks, t -> sc.rows(planes, w, m, b, relu, yd, yOff, (int) ((long) oh * t / tasks),
                    (int) ((long) oh * (t + 1) / tasks), scratch(SCRATCH.get(), 1, sc.scratchSize())));
        }
    }

    private StridedConv stridedLowering(int h, int w) {
        StridedConv l = strided;
        if (l == null || !l.matches(inChannels, h, w)) {
            l = new StridedConv(inChannels, h, w, kernelH, kernelW, stride, padding);
            strided = l;
        }
        return l;
    }

    /** Images [img0, img0+count) as one GEMM of m output rows; {@code inner}: spread the unfolding over the pool too. */
    private void forwardGroup(Tensor x, int img0, int count, Im2col l, float[] w, float[] b, int m, boolean relu,
                              List<Slice> slices, boolean inner) {
        int ohw = l.outH() * l.outW(), cols = count * ohw, k = inChannels * kernelH * kernelW;
        int inImage = inChannels * x.dim(2) * x.dim(3);
        float[] col;
        int colOff = 0;
        if (isPointwise() && count == 1) {
            col = x.data(); // one image of a 1×1/1 convolution already is the matrix
            colOff = img0 * inImage;
        } else {
            col = scratch(SCRATCH.get(), 0, k * cols);
            unfold(l, x.data(), img0, count, inImage, col, ohw, cols, inner);
        }
        gemmGroup(col, colOff, img0, count, ohw, w, b, m, relu, slices);
    }

    /**
     * Images [img0, img0+count) as one GEMM of m output rows on their unfolded input {@code col} (k rows of
     * count·ohw columns from colOff, image i's from column i·ohw), bias and activation fused, into the slices.
     */
    private void gemmGroup(float[] col, int colOff, int img0, int count, int ohw, float[] w, float[] b, int m,
                           boolean relu, List<Slice> slices) {
        int cols = count * ohw, k = inChannels * kernelH * kernelW;
        if (count == 1) {
            // straight into each slice: no scatter needed
            int row = 0;
            for (Slice sl : slices) {
                float[] yd = sl.out().data();
                int cOff = (img0 * sl.out().dim(1) + sl.offset()) * ohw;
                gemm.sgemm(false, false, sl.channels(), ohw, k, w, row * k, k, col, colOff, ohw, 0f, yd, cOff, ohw);
                Epilogue.biasRelu(yd, cOff, sl.channels(), ohw, b, row, relu);
                row += sl.channels();
            }
        } else {
            float[] y = scratch(SCRATCH.get(), 1, m * cols);
            gemm.sgemm(false, false, m, cols, k, w, 0, k, col, colOff, cols, 0f, y, 0, cols);
            int row = 0;
            for (Slice sl : slices) {
                Tensor out = sl.out();
                for (int i = 0; i < count; i++) {
                    Im2col.copyRows(y, row * cols + i * ohw, cols, out.data(),
                            ((img0 + i) * out.dim(1) + sl.offset()) * ohw, ohw, sl.channels(), ohw, b, row, relu);
                }
                row += sl.channels();
            }
        }
    }

    /**
     * {@inheritDoc} The returned input gradient is this layer's buffer: valid until its next backward.
     */
    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor x = input;
        int n = x.dim(0);
        int ohw = gradOut.dim(2) * gradOut.dim(3);
        Im2col l = lowering(x.dim(2), x.dim(3));
        // every element is overwritten (col2im clears first)
        Tensor dx = inputGradient ? Tensor.reuse(gradInput, x.shape()) : null;
        if (dx != null) {
            gradInput = dx;
        }
        int dxTile = inputGradient ? winogradTile(outChannels, inChannels, x.dim(2), x.dim(3), true) : 0;
        // the input gradient by GEMM + col2im from the weight gradient's unfolding (or by Winograd, or not at all)
        boolean dcol = inputGradient && dxTile == 0;
        int nb = imagesPerGemm(n, ohw);
        int groups = Math.ceilDiv(n, nb);
        Parallel p = pool();
        int chunks = Math.min(groups, p.threads());
        float[] grad = weight.grad().data();
        if (!dcol && winogradWeightGradient()) {
            if (winogradWeightGradient == null) {
                winogradWeightGradient = new WinogradWeightGradient();
            }
            winogradWeightGradient.accumulate(p, gemm, x.data(), gradOut.data(), n, inChannels, outChannels,
                    x.dim(2), x.dim(3), WINOGRAD_WEIGHT_GRADIENT_TILE, grad);
        } else if (chunks == 1) {
            for (int g = 0; g < groups; g++) {
                backwardGroup(x, gradOut, g * nb, Math.min(nb, n - g * nb), l, grad, 1f, dcol ? dx : null, true);
            }
        } else {
            // image groups in a fixed number of chunks, each summing its own weight gradient in image order
            // (chunk 0 straight into the gradient, the others into partials that their first GEMM overwrites);
            // the partials are then added in chunk order: deterministic for a given thread count
            float[][] part = partials(chunks - 1, grad.length);
            p.parallelFor(chunks, t -> {
                int from = (int) ((long) groups * t / chunks), to = (int) ((long) groups * (t + 1) / chunks);
                for (int g = from; g < to; g++) {
                    backwardGroup(x, gradOut, g * nb, Math.min(nb, n - g * nb), l, t == 0 ? grad : part[t - 1],
                            t > 0 && g == from ? 0f : 1f, dcol ? dx : null, false);
                }
            });
            for (float[] q : part) {
                for (int i = 0; i < grad.length; i++) {
                    grad[i] += q[i];
                }
            }
        }
        if (dxTile > 0) {
            winogradBackward = Winograd3x3.transformWeights(p, weight.value().data(), 0, outChannels, inChannels,
                    dxTile, true, winogradBackward);
            Winograd3x3.forwardBatch(p, gradOut.data(), n, outChannels, x.dim(2), x.dim(3), winogradBackward, null,
                    false, dx.data(), inChannels, 0);
        }
        if (bias != null) {
            float[] dy = gradOut.data();
            float[] db = bias.grad().data();
            int outImage = outChannels * ohw;
            for (int img = 0; img < n; img++) {
                for (int c = 0; c < outChannels; c++) {
                    int off = img * outImage + c * ohw;
                    float s = 0f;
                    for (int i = 0; i < ohw; i++) {
                        s += dy[off + i];
                    }
                    db[c] += s;
                }
            }
        }
        return dx;
    }

    /**
     * Images [img0, img0+count): {@code dw = dwBeta·dw + dY·colᵀ} (one GEMM whose k is all the group's pixels),
     * then their input gradients from {@code dcol = Wᵀ·dY} (unless dx is null: Winograd computes them).
     */
    private void backwardGroup(Tensor x, Tensor gradOut, int img0, int count, Im2col l, float[] dw, float dwBeta,
                               Tensor dx, boolean inner) {
        int ohw = l.outH() * l.outW(), cols = count * ohw, k = inChannels * kernelH * kernelW;
        int inImage = inChannels * x.dim(2) * x.dim(3), outImage = outChannels * ohw;
        float[] dy = gradOut.data(), w = weight.value().data();
        float[][] s = SCRATCH.get();
        boolean direct = isPointwise() && count == 1;
        float[] col;
        int colOff = 0;
        if (direct) {
            col = x.data();
            colOff = img0 * inImage;
        } else {
            col = scratch(s, 0, k * cols);
            unfold(l, x.data(), img0, count, inImage, col, ohw, cols, inner);
        }
        float[] dyg = dy;
        int dyOff = img0 * outImage;
        if (count > 1) {
            dyg = scratch(s, 1, outChannels * cols);
            dyOff = 0;
            for (int i = 0; i < count; i++) {
                Im2col.copyRows(dy, (img0 + i) * outImage, ohw, dyg, i * ohw, cols, outChannels, ohw, null, 0, false);
            }
        }
        gemm.sgemm(false, true, outChannels, k, cols, dyg, dyOff, cols, col, colOff, cols, dwBeta, dw, 0, k);
        if (dx == null) {
            return;
        }
        if (direct) {
            gemm.sgemm(true, false, k, ohw, outChannels, w, 0, k, dyg, dyOff, ohw, 0f, dx.data(), img0 * inImage,
                    ohw);
        } else {
            // dcol goes into the unfolding's buffer, which the weight gradient no longer needs
            gemm.sgemm(true, false, k, cols, outChannels, w, 0, k, dyg, dyOff, cols, 0f, col, 0, cols);
            fold(l, col, img0, count, inImage, dx.data(), ohw, cols, inner);
        }
    }

    private float[][] partials(int count, int size) {
        if (partials.length != count || count > 0 && partials[0].length != size) {
            partials = new float[count][size];
        }
        return partials;
    }

    /** Below this many values to move, unfolding or folding one group is not split over threads. */
    private static final long LOWERING_GRAIN = 1 << 15;

    /** im2col of images img0.. side by side (image i from column i·ohw); channels over the pool when inner. */
    private void unfold(Im2col l, float[] xd, int img0, int count, int inImage, float[] col, int ohw, int cols,
                        boolean inner) {
        int tasks = inner ? Math.min(inChannels, pool().tasksFor((long) inChannels * kernelH * kernelW * cols,
                LOWERING_GRAIN)) : 1;
        if (tasks <= 1) {
            for (int i = 0; i < count; i++) {
                l.im2col(xd, (img0 + i) * inImage, col, i * ohw, cols, 0, inChannels);
            }
        } else {
            pool().parallelFor(tasks, t -> {
                int c0 = (int) ((long) inChannels * t / tasks), c1 = (int) ((long) inChannels * (t + 1) / tasks);
                for (int i = 0; i < count; i++) {
                    l.im2col(xd, (img0 + i) * inImage, col, i * ohw, cols, c0, c1);
                }
            });
        }
    }

    /** col2im of the images' side-by-side column gradients into dx (overwritten); channels over the pool when inner. */
    private void fold(Im2col l, float[] dcol, int img0, int count, int inImage, float[] dx, int ohw, int cols,
                      boolean inner) {
        int tasks = inner ? Math.min(inChannels, pool().tasksFor((long) inChannels * kernelH * kernelW * cols,
                LOWERING_GRAIN)) : 1;
        if (tasks <= 1) {
            for (int i = 0; i < count; i++) {
                l.col2im(dcol, i * ohw, cols, dx, (img0 + i) * inImage, 0, inChannels);
            }
        } else {
            pool().parallelFor(tasks, t -> {
                int c0 = (int) ((long) inChannels * t / tasks), c1 = (int) ((long) inChannels * (t + 1) / tasks);
                for (int i = 0; i < count; i++) {
                    l.col2im(dcol, i * ohw, cols, dx, (img0 + i) * inImage, c0, c1);
                }
            });
        }
    }

    static void addBias(float[] y, float[] b, int n, int channels, int hw) {
        for (int img = 0; img < n; img++) {
            Epilogue.biasRelu(y, img * channels * hw, channels, hw, b, 0, false);
        }
    }

    /**
     * Per thread: [0] the unfolded input (then its gradient; or the pooled input of {@link #forwardPooled}), [1] a
     * group's output or output gradient.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    /** This thread's buffer {@code which}, grown as needed and reused across layers and calls. */
    private static float[] scratch(float[][] s, int which, int size) {
        if (s[which].length < size) {
            s[which] = new float[size];
        }
        return s[which];
    }
}
