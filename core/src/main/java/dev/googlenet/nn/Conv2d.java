package dev.googlenet.nn;

import dev.googlenet.kernels.ConvAlgorithm;
import dev.googlenet.kernels.Convolution;
import dev.googlenet.kernels.Epilogue;
import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.Im2col;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.kernels.Winograd3x3;
import dev.googlenet.kernels.WinogradWeightGradient;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.List;

/**
 * 2-D convolution over NCHW input, forward and backward. Forward is {@link Convolution}'s im2col + GEMM (images
 * grouped into one GEMM on small maps). Backward does the same with {@code dY}: {@code dW += dY·colᵀ} then has a
 * long k, and {@code dcol = Wᵀ·dY} is folded back per image. Backward recomputes {@code col} instead of keeping
 * it, to save memory.
 *
 * <p>3×3/1 "same" convolutions that {@link ConvAlgorithm} assigns to Winograd run forward and the input gradient by Winograd's F(m×m, 3×3) ({@link Winograd3x3}) instead, 2.25–4× fewer multiplies: the input
 * gradient is itself such a convolution, of dY with the filters transposed and turned by 180°. The filters are
 * transformed on every call (the weights change every step; it costs about one image's worth of the
 * convolution). When the input gradient needs no unfolding, the weight gradient runs by F(4×4, 3×3) too
 * ({@link WinogradWeightGradient}: the forward's algorithm transposed, 36 GEMMs whose k is the images' tiles).
 *
 * <p>Buffers: the tensor {@link #forward} returns is this layer's, reused by its next forward; the one
 * {@link #backward} returns is shared by the thread's convolutions ({@link GradientScratch}) and stays valid until
 * the next convolution's backward (copy it to keep it).
 * Scratch matrices are per thread and the weight-gradient partials per layer, so steady-state steps allocate
 * nothing here.
 *
 * <p>Determinism: forward and the input gradient are bitwise the same for any thread count (how images are grouped
 * depends on the batch and map size only). The weight gradient is summed in a fixed number of chunks (one per
 * thread, at most one per image group), each in image order, and the chunks are added in order: deterministic for
 * a given thread count.
 */
public final class Conv2d implements Layer {
    private final Param weight;
    private final Param bias; // null when the convolution has no bias (it is followed by BatchNorm)
    private final Convolution geometry;
    private Parallel pool; // null: the engine's pool
    private Gemm gemm = Kernels.gemm();

    private Tensor input;
    private Tensor output;
    /** Weight-gradient sums of chunks 1.. (chunk 0 adds straight into the gradient), kept between steps. */
    private float[][] partials = new float[0][];
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
        this.geometry = new Convolution(inChannels, outChannels, kernelH, kernelW, stride, padding); // checks them
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
        return geometry.inChannels();
    }

    public int outChannels() {
        return geometry.outChannels();
    }

    public int kernelH() {
        return geometry.kernelH();
    }

    public int kernelW() {
        return geometry.kernelW();
    }

    public int stride() {
        return geometry.stride();
    }

    public int padding() {
        return geometry.padding();
    }

    /** 1×1/1 without padding: the input of one image already is the GEMM's right-hand matrix. */
    public boolean isPointwise() {
        return geometry.isPointwise();
    }

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {in[0], outChannels(),
                Shape.pooledSize(in[2], kernelH(), stride(), padding(), false),
                Shape.pooledSize(in[3], kernelW(), stride(), padding(), false)};
    }

    @Override
    public long multiplyAdds(int[] in) {
        int[] out = outputShape(in);
        return (long) out[0] * out[1] * out[2] * out[3] * inChannels() * kernelH() * kernelW();
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
        this.gemm = Kernels.gemm(pool);
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

    /** Whether Winograd can run this convolution's geometry: 3×3, stride 1, padding 1. */
    public boolean winogradShape() {
        return ConvAlgorithm.winogradShape(kernelH(), kernelW(), stride(), padding());
    }

    /**
     * Winograd's tile for this convolution run with {@code in} input and {@code out} output channels on
     * {@code images} h×w maps (Cin → Cout forward, Cout → Cin for the input gradient), or 0 for im2col + GEMM:
     * {@link ConvAlgorithm}'s rule, unless a test forced it.
     */
    int winogradTile(int images, int in, int out, int h, int w, boolean inputGradient) {
        if (!winogradShape() || Boolean.FALSE.equals(winogradForced)) {
            return 0;
        }
        if (Boolean.TRUE.equals(winogradForced)) {
            int tile = Winograd3x3.suggestedTile(images, in, out, h, w);
            return tile == 0 ? 2 : tile;
        }
        return ConvAlgorithm.winogradTile(kernelH(), kernelW(), stride(), padding(), images, in, out, h, w,
                inputGradient);
    }

    /**
     * Whether the weight gradient runs by Winograd ({@link WinogradWeightGradient}) rather than im2col + GEMM;
     * only when the input gradient does not need the unfolding (it is computed by Winograd, or not at all).
     */
    boolean winogradWeightGradient() {
        if (!winogradShape() || Boolean.FALSE.equals(winogradForced)) {
            return false;
        }
        return Boolean.TRUE.equals(winogradForced)
                || ConvAlgorithm.winogradWeightGradient(kernelH(), kernelW(), stride(), padding(), inChannels(),
                        outChannels());
    }

    private Parallel pool() {
        return pool != null ? pool : Parallel.get();
    }

    /**
     * {@inheritDoc} The returned tensor is this layer's buffer: valid until its next forward.
     */
    @Override
    public Tensor forward(Tensor x, boolean training) {
        Shape.requireNchw(x, inChannels(), "Conv2d");
        output = Tensor.reuse(output, outputShape(x.shape())); // every element is overwritten
        float[] b = bias == null ? null : bias.value().data();
        int tile = winogradTile(x.dim(0), inChannels(), outChannels(), x.dim(2), x.dim(3), false);
        if (tile > 0) {
            winogradForward = Winograd3x3.transformWeights(pool(), weight.value().data(), 0, outChannels(),
                    inChannels(), tile, false, winogradForward);
            Winograd3x3.forwardBatch(pool(), x.data(), x.dim(0), inChannels(), x.dim(2), x.dim(3), winogradForward, b,
                    false, output.data(), outChannels(), 0);
        } else {
            forwardInto(x, weight.value().data(), b, false, output, 0);
        }
        input = x;
        return output;
    }

    /**
     * {@code act(conv(x; w) + b)} by im2col + GEMM into channels {@code [offset, offset + Cout)} of {@code out}:
     * this layer's geometry with other weights ({@link Convolution#forward}). {@code b} may be null; {@code relu}
     * fuses the activation.
     */
    public void forwardInto(Tensor x, float[] w, float[] b, boolean relu, Tensor out, int offset) {
        Shape.requireNchw(x, inChannels(), "Conv2d");
        geometry.forward(pool(), gemm, x.data(), x.dim(0), x.dim(2), x.dim(3), w, b, relu,
                List.of(new Convolution.Slice(out.data(), out.dim(1), offset, outChannels())));
    }

    /**
     * {@inheritDoc} The returned input gradient lives in a buffer all convolutions of the thread share
     * ({@link GradientScratch}): valid until the next convolution's backward.
     */
    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor x = input;
        int n = x.dim(0);
        int ohw = gradOut.dim(2) * gradOut.dim(3);
        Im2col l = geometry.lowering(x.dim(2), x.dim(3));
        // every element is overwritten (col2im clears first)
        // the layer before reads this gradient at once: one buffer serves every convolution of the thread
        Tensor dx = inputGradient ? GradientScratch.take(GradientScratch.Kind.CONVOLUTION, x.shape()) : null;
        int dxTile = inputGradient ? winogradTile(x.dim(0), outChannels(), inChannels(), x.dim(2), x.dim(3), true)
                : 0;
        // the input gradient by GEMM + col2im from the weight gradient's unfolding (or by Winograd, or not at all)
        boolean dcol = inputGradient && dxTile == 0;
        int nb = Convolution.imagesPerGemm(n, ohw);
        int groups = Math.ceilDiv(n, nb);
        Parallel p = pool();
        int chunks = Math.min(groups, p.threads());
        float[] grad = weight.grad().data();
        if (!dcol && winogradWeightGradient()) {
            if (winogradWeightGradient == null) {
                winogradWeightGradient = new WinogradWeightGradient();
            }
            winogradWeightGradient.accumulate(p, gemm, x.data(), gradOut.data(), n, inChannels(), outChannels(),
                    x.dim(2), x.dim(3), ConvAlgorithm.WEIGHT_GRADIENT_TILE, grad);
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
            winogradBackward = Winograd3x3.transformWeights(p, weight.value().data(), 0, outChannels(), inChannels(),
                    dxTile, true, winogradBackward);
            Winograd3x3.forwardBatch(p, gradOut.data(), n, outChannels(), x.dim(2), x.dim(3), winogradBackward, null,
                    false, dx.data(), inChannels(), 0);
        }
        if (bias != null) {
            float[] dy = gradOut.data();
            float[] db = bias.grad().data();
            int outImage = outChannels() * ohw;
            for (int img = 0; img < n; img++) {
                for (int c = 0; c < outChannels(); c++) {
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
        int ohw = l.outH() * l.outW(), cols = count * ohw, k = inChannels() * kernelH() * kernelW();
        int inImage = inChannels() * x.dim(2) * x.dim(3), outImage = outChannels() * ohw;
        float[] dy = gradOut.data(), w = weight.value().data();
        boolean direct = isPointwise() && count == 1;
        float[] col;
        int colOff = 0;
        if (direct) {
            col = x.data();
            colOff = img0 * inImage;
        } else {
            col = Convolution.scratch(0, k * cols);
            geometry.unfold(pool(), l, x.data(), img0, count, inImage, col, ohw, cols, inner);
        }
        float[] dyg = dy;
        int dyOff = img0 * outImage;
        if (count > 1) {
            dyg = Convolution.scratch(1, outChannels() * cols);
            dyOff = 0;
            for (int i = 0; i < count; i++) {
                Im2col.copyRows(dy, (img0 + i) * outImage, ohw, dyg, i * ohw, cols, outChannels(), ohw, null, 0, false);
            }
        }
        gemm.sgemm(false, true, outChannels(), k, cols, dyg, dyOff, cols, col, colOff, cols, dwBeta, dw, 0, k);
        if (dx == null) {
            return;
        }
        if (direct) {
            gemm.sgemm(true, false, k, ohw, outChannels(), w, 0, k, dyg, dyOff, ohw, 0f, dx.data(), img0 * inImage,
                    ohw);
        } else {
            // dcol goes into the unfolding's buffer, which the weight gradient no longer needs
            gemm.sgemm(true, false, k, cols, outChannels(), w, 0, k, dyg, dyOff, cols, 0f, col, 0, cols);
            geometry.fold(pool(), l, col, img0, count, inImage, dx.data(), ohw, cols, inner);
        }
    }

    private float[][] partials(int count, int size) {
        if (partials.length != count || count > 0 && partials[0].length != size) {
            partials = new float[count][size];
        }
        return partials;
    }

    static void addBias(float[] y, float[] b, int n, int channels, int hw) {
        for (int img = 0; img < n; img++) {
            Epilogue.biasRelu(y, img * channels * hw, channels, hw, b, 0, false);
        }
    }
}
