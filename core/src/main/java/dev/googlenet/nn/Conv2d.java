package dev.googlenet.nn;

import dev.googlenet.kernels.Epilogue;
import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * 2-D convolution over NCHW input, as one GEMM per image: {@code Y[Cout, OH·OW] = W[Cout, Cin·kh·kw] × col}.
 * {@code col} is the im2col unfolding of the input; a 1×1/1 convolution without padding needs none — its input
 * already is the matrix. Backward recomputes {@code col} instead of keeping it, to save memory.
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
    private final Gemm gemm = Kernels.gemm();

    private Tensor input;

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

    private boolean isPointwise() {
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

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Shape.requireNchw(x, inChannels, "Conv2d");
        Tensor y = Tensor.zeros(outputShape(x.shape()));
        forwardInto(x, weight.value().data(), bias == null ? null : bias.value().data(), false, y, 0);
        input = x;
        return y;
    }

    /**
     * Inference building block: writes {@code act(conv(x; w) + b)} into channels {@code [offset, offset+Cout)}
     * of {@code out} (so Inception branches land straight in their slice of the concatenation). {@code w} has this
     * layer's weight layout; {@code b} may be null; {@code relu} fuses the activation. Images run in parallel
     * (each one GEMM on one thread); a single image parallelizes inside its GEMM instead.
     */
    public void forwardInto(Tensor x, float[] w, float[] b, boolean relu, Tensor out, int offset) {
        Shape.requireNchw(x, inChannels, "Conv2d");
        int[] os = outputShape(x.shape());
        if (out.rank() != 4 || out.dim(0) != os[0] || out.dim(2) != os[2] || out.dim(3) != os[3]
                || offset + outChannels > out.dim(1)) {
            throw new IllegalArgumentException("Conv2d: output " + Shape.toString(out.shape()) + " cannot take "
                    + Shape.toString(os) + " at channel " + offset);
        }
        int n = os[0];
        Parallel pool = Parallel.get();
        if (n == 1 || pool.threads() == 1) {
            for (int img = 0; img < n; img++) {
                imageForward(x, img, os, w, b, relu, out, offset);
            }
        } else {
            pool.parallelFor(n, img -> imageForward(x, img, os, w, b, relu, out, offset));
        }
    }

    private void imageForward(Tensor x, int img, int[] os, float[] w, float[] b, boolean relu, Tensor out,
                              int offset) {
        int ohw = os[2] * os[3], k = inChannels * kernelH * kernelW;
        int inImage = inChannels * x.dim(2) * x.dim(3);
        int cOff = (img * out.dim(1) + offset) * ohw;
        if (isPointwise()) {
            gemm.sgemm(false, false, outChannels, ohw, k, w, 0, k, x.data(), img * inImage, ohw, 0f,
                    out.data(), cOff, ohw);
        } else {
            float[] col = os[0] == 1 ? im2colParallel(x, img, os[2], os[3], scratch(k * ohw))
                    : im2col(x, img, os[2], os[3], scratch(k * ohw));
            gemm.sgemm(false, false, outChannels, ohw, k, w, 0, k, col, 0, ohw, 0f, out.data(), cOff, ohw);
        }
        Epilogue.biasRelu(out.data(), cOff, outChannels, ohw, b, 0, relu);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor x = input;
        int n = x.dim(0), h = x.dim(2), wd = x.dim(3);
        int oh = gradOut.dim(2), ow = gradOut.dim(3), ohw = oh * ow, k = inChannels * kernelH * kernelW;
        int inImage = inChannels * h * wd, outImage = outChannels * ohw;
        float[] dy = gradOut.data();
        float[] w = weight.value().data();
        Tensor dx = Tensor.zerosLike(x);
        // images in a fixed number of chunks, each summing its own weight gradient in image order; the chunks
        // are then added in chunk order: deterministic for a given thread count
        Parallel pool = Parallel.get();
        int chunks = Math.min(n, pool.threads());
        float[][] partial = new float[chunks][];
        pool.parallelFor(chunks, t -> {
            float[] dw = chunks == 1 ? weight.grad().data() : new float[weight.value().size()];
            partial[t] = dw;
            int from = (int) ((long) n * t / chunks), to = (int) ((long) n * (t + 1) / chunks);
            float[] dcol = isPointwise() ? null : scratchGrad(k * ohw);
            for (int img = from; img < to; img++) {
                int dyOff = img * outImage;
                if (isPointwise()) {
                    // dW += dY · Xᵀ; dX = Wᵀ · dY, straight into the input gradient
                    gemm.sgemm(false, true, outChannels, k, ohw, dy, dyOff, ohw, x.data(), img * inImage, ohw,
                            1f, dw, 0, k);
                    gemm.sgemm(true, false, k, ohw, outChannels, w, 0, k, dy, dyOff, ohw, 0f, dx.data(),
                            img * inImage, ohw);
                } else {
                    float[] c = im2col(x, img, oh, ow, scratch(k * ohw));
                    gemm.sgemm(false, true, outChannels, k, ohw, dy, dyOff, ohw, c, 0, ohw, 1f, dw, 0, k);
                    gemm.sgemm(true, false, k, ohw, outChannels, w, 0, k, dy, dyOff, ohw, 0f, dcol, 0, ohw);
                    col2im(dcol, dx.data(), img * inImage, h, wd, oh, ow);
                }
            }
        });
        if (chunks > 1) {
            float[] dw = weight.grad().data();
            for (float[] p : partial) {
                for (int i = 0; i < dw.length; i++) {
                    dw[i] += p[i];
                }
            }
        }
        if (bias != null) {
            float[] db = bias.grad().data();
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

    static void addBias(float[] y, float[] b, int n, int channels, int hw) {
        for (int img = 0; img < n; img++) {
            Epilogue.biasRelu(y, img * channels * hw, channels, hw, b, 0, false);
        }
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    /** This thread's im2col buffer, grown as needed and reused across layers and calls. */
    private static float[] scratch(int size) {
        float[][] s = SCRATCH.get();
        if (s[0].length < size) {
            s[0] = new float[size];
        }
        return s[0];
    }

    /** This thread's buffer for column gradients. */
    private static float[] scratchGrad(int size) {
        float[][] s = SCRATCH.get();
        if (s[1].length < size) {
            s[1] = new float[size];
        }
        return s[1];
    }

    /** Unfolds image {@code img} into {@code col}: row (c, i, j), column (oy, ox). */
    private float[] im2col(Tensor x, int img, int oh, int ow, float[] col) {
        im2colChannels(x, img, oh, ow, col, 0, inChannels);
        return col;
    }

    /** im2col with the channels split over the engine's threads (one image: the GEMM alone would leave a core idle). */
    private float[] im2colParallel(Tensor x, int img, int oh, int ow, float[] col) {
        Parallel pool = Parallel.get();
        int tasks = Math.min(inChannels, pool.threads() * 4);
        pool.parallelFor(tasks, t -> im2colChannels(x, img, oh, ow, col,
                (int) ((long) inChannels * t / tasks), (int) ((long) inChannels * (t + 1) / tasks)));
        return col;
    }

    private void im2colChannels(Tensor x, int img, int oh, int ow, float[] col, int cFrom, int cTo) {
        int h = x.dim(2), w = x.dim(3), ohw = oh * ow;
        float[] src = x.data();
        int base = img * inChannels * h * w;
        for (int c = cFrom; c < cTo; c++) {
            int plane = base + c * h * w;
            int row = c * kernelH * kernelW;
            for (int i = 0; i < kernelH; i++) {
                for (int j = 0; j < kernelW; j++, row++) {
                    int dst = row * ohw;
                    // output columns whose input column ox·stride − padding + j lies inside the image
                    int lo = Math.min(ow, Math.max(0, Math.ceilDiv(padding - j, stride)));
                    int hi = Math.max(lo, Math.min(ow, Math.ceilDiv(w + padding - j, stride)));
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - padding + i;
                        int rowDst = dst + oy * ow;
                        if (iy < 0 || iy >= h) {
                            java.util.Arrays.fill(col, rowDst, rowDst + ow, 0f);
                            continue;
                        }
                        int srcRow = plane + iy * w - padding + j;
                        java.util.Arrays.fill(col, rowDst, rowDst + lo, 0f);
                        if (stride == 1) {
                            System.arraycopy(src, srcRow + lo, col, rowDst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                col[rowDst + ox] = src[srcRow + ox * stride];
                            }
                        }
                        java.util.Arrays.fill(col, rowDst + hi, rowDst + ow, 0f);
                    }
                }
            }
        }
    }

    /** Adds the columns of {@code dcol} back onto the input positions they were unfolded from. */
    private void col2im(float[] dcol, float[] dx, int base, int h, int w, int oh, int ow) {
        int ohw = oh * ow;
        int row = 0;
        for (int c = 0; c < inChannels; c++) {
            int plane = base + c * h * w;
            for (int i = 0; i < kernelH; i++) {
                for (int j = 0; j < kernelW; j++, row++) {
                    int src = row * ohw;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - padding + i;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dstRow = plane + iy * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * stride - padding + j;
                            if (ix >= 0 && ix < w) {
                                dx[dstRow + ix] += dcol[src + oy * ow + ox];
                            }
                        }
                    }
                }
            }
        }
    }
}
