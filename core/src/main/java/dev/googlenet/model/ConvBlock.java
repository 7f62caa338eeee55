package dev.googlenet.model;

import dev.googlenet.kernels.Winograd3x3;
import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Conv2d;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Profiler;
import dev.googlenet.nn.Relu;
import dev.googlenet.tensor.Tensor;

/**
 * Convolution + ReLU, with BatchNorm in between for the torchvision variant (its {@code BasicConv2d}, whose
 * convolutions then drop their bias). Children are named {@code conv} and {@code bn} as in torchvision.
 */
public final class ConvBlock implements Layer {
    private final Conv2d conv;
    private final BatchNorm2d bn; // null in the paper variant
    private final Relu relu = new Relu();

    // inference: BatchNorm folded into the convolution's weights and bias, rebuilt when any source changes
    private float[] foldedWeight;
    private float[] foldedBias;
    private int[] foldedFrom;
    private Winograd3x3.Weights winograd;
    private float[] winogradSource;
    private int[] winogradFrom;
    // the last forward took the fused inference path: backward must first rerun the training one
    private Tensor fusedInput;
    private Tensor inferenceOutput; // reused between inference calls

    public ConvBlock(int in, int out, int kernel, int stride, int padding, boolean batchNorm) {
        this.conv = new Conv2d(in, out, kernel, stride, padding, !batchNorm);
        this.bn = batchNorm ? new BatchNorm2d(out, Variant.BN_EPS, 0.1f) : null;
    }

    public Conv2d conv() {
        return conv;
    }

    /** The BatchNorm, or null when this block has none. */
    public BatchNorm2d bn() {
        return bn;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (!training) {
            inferenceOutput = Tensor.reuse(inferenceOutput, conv.outputShape(x.shape()));
            forwardInto(x, inferenceOutput, 0);
            return inferenceOutput;
        }
        return trainingForward(x, true);
    }

    /**
     * Inference straight into channels {@code [offset, offset + out)} of {@code out}: one GEMM per image with
     * bias and ReLU fused, and BatchNorm (eval mode: a per-channel affine map) folded into the weights.
     */
    public void forwardInto(Tensor x, Tensor out, int offset) {
        Profiler.time(conv, x.shape(), () -> {
            InferenceParameters p = inferenceParameters();
            int tile = winogradTile(x);
            if (tile > 0) {
                Winograd3x3.forwardBatch(x.data(), x.dim(0), conv.inChannels(), x.dim(2), x.dim(3),
                        winogradWeights(p.weight(), tile), p.bias(), true, out.data(), out.dim(1), offset);
            } else {
                conv.forwardInto(x, p.weight(), p.bias(), true, out, offset);
            }
        });
        fusedInput = x;
    }

    /**
     * Whether inference runs a max pool and the 1×1 block after it image group by image group, so that the pooled
     * maps stay in cache ({@link Conv2d#forwardPooled}): Inception's branch 4, and the stem's maxpool1 → conv2.
     * Off ({@code -Dgooglenet.fusePool=false}): the batch's pool, then the convolution, for A/B timing.
     */
    static final boolean FUSE_POOL = !"false".equals(System.getProperty("googlenet.fusePool"));

    /** Inference of this 1×1 block on {@code pool(x)}, into this block's buffer (see {@link #forwardPooledInto}). */
    public Tensor forwardPooled(Tensor x, MaxPool2d pool) {
        inferenceOutput = Tensor.reuse(inferenceOutput, conv.outputShape(pool.outputShape(x.shape())));
        forwardPooledInto(x, pool, inferenceOutput, 0);
        return inferenceOutput;
    }

    /**
     * Inference of this 1×1 block on {@code pool(x)} into channels {@code [offset, offset + out)} of {@code out}, each
     * group of images pooled just before its GEMM ({@link Conv2d#forwardPooled}); as
     * {@code forwardInto(pool.forward(x), out, offset)}, bit for bit.
     */
    public void forwardPooledInto(Tensor x, MaxPool2d pool, Tensor out, int offset) {
        InferenceParameters p = inferenceParameters();
        conv.forwardPooled(x, pool, p.weight(), p.bias(), true, out, offset);
        fusedInput = null; // the pooled input was never kept: the owner redoes this branch before a backward
    }

    /**
     * What inference computes with: the weights and bias with BatchNorm folded in (the convolution's own when there
     * is none), and the versions of every tensor they come from, which change whenever they do.
     */
    record InferenceParameters(float[] weight, float[] bias, int[] from) {
    }

    InferenceParameters inferenceParameters() {
        if (bn == null) {
            return new InferenceParameters(conv.weight().value().data(),
                    conv.bias() == null ? null : conv.bias().value().data(),
                    new int[] {conv.weight().value().version(), conv.bias() == null ? 0 : conv.bias().value().version()});
        }
        fold();
        return new InferenceParameters(foldedWeight, foldedBias, foldedFrom);
    }

    /** An inference forward on x was done for this block by its owner (so a later backward can redo it). */
    void inferredFrom(Tensor x) {
        fusedInput = x;
    }

    /** Winograd's tile for this 3×3/1 "same" convolution on x, or 0 for im2col + GEMM. */
    private int winogradTile(Tensor x) {
        if (!conv.winogradShape()) {
            return 0;
        }
        return Winograd3x3.suggestedTile(conv.inChannels(), conv.outChannels(), x.dim(2), x.dim(3));
    }

    /** The transformed filters of {@code w}, rebuilt when the weights (or their folding) or the tile change. */
    private Winograd3x3.Weights winogradWeights(float[] w, int tile) {
        int[] from = {conv.weight().value().version(), bn == null ? 0 : bn.weight().value().version(),
                bn == null ? 0 : bn.runningVar().version(), bn == null ? 0 : bn.runningMean().version(), tile};
        if (winograd == null || winogradSource != w || !java.util.Arrays.equals(from, winogradFrom)) {
            winograd = Winograd3x3.transformWeights(w, 0, conv.outChannels(), conv.inChannels(), tile);
            winogradSource = w;
            winogradFrom = from;
        }
        return winograd;
    }

    /** W' = W·γ/σ and b' = β − μ·γ/σ (+ the conv's own bias·γ/σ), σ = √(running var + eps). */
    private void fold() {
        Tensor w = conv.weight().value();
        int[] from = {w.version(), bn.weight().value().version(), bn.bias().value().version(),
                bn.runningMean().version(), bn.runningVar().version(),
                conv.bias() == null ? 0 : conv.bias().value().version()};
        if (foldedWeight != null && java.util.Arrays.equals(from, foldedFrom)) {
            return;
        }
        int outC = conv.outChannels(), per = w.size() / outC;
        float[] fw = new float[w.size()], fb = new float[outC];
        float[] src = w.data(), gamma = bn.weight().value().data(), beta = bn.bias().value().data();
        float[] mean = bn.runningMean().data(), var = bn.runningVar().data();
        for (int c = 0; c < outC; c++) {
            float s = (float) (gamma[c] / Math.sqrt((double) var[c] + bn.eps()));
            for (int i = 0; i < per; i++) {
                fw[c * per + i] = src[c * per + i] * s;
            }
            float convBias = conv.bias() == null ? 0f : conv.bias().value().data()[c];
            fb[c] = beta[c] + (convBias - mean[c]) * s;
        }
        foldedWeight = fw;
        foldedBias = fb;
        foldedFrom = from;
    }

    /** Convolution, then BatchNorm with the ReLU fused into it (or ReLU alone): what backward differentiates. */
    private Tensor trainingForward(Tensor x, boolean training) {
        fusedInput = null;
        Tensor y = Profiler.forward(conv, x, training);
        if (bn != null) {
            Tensor z = y;
            return Profiler.timed("batchnorm+relu fwd", 0, () -> bn.forward(z, training, true));
        }
        return Profiler.forward(relu, y, training);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        if (fusedInput != null) { // rare: backward after an inference forward; recompute what backward needs
            trainingForward(fusedInput, false);
        }
        Tensor g;
        if (bn != null) {
            g = Profiler.timed("batchnorm+relu bwd", 0, () -> bn.backward(gradOut, true));
        } else {
            g = Profiler.backward(relu, gradOut);
        }
        return Profiler.backward(conv, g);
    }

    @Override
    public int[] outputShape(int[] in) {
        return conv.outputShape(in);
    }

    @Override
    public long multiplyAdds(int[] in) {
        return conv.multiplyAdds(in);
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        conv.visitState(Layer.join(prefix, "conv"), visitor);
        if (bn != null) {
            bn.visitState(Layer.join(prefix, "bn"), visitor);
        }
    }
}
