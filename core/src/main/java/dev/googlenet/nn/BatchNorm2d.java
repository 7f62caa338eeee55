package dev.googlenet.nn;

import dev.googlenet.kernels.BatchNormKernels;
import dev.googlenet.kernels.Elementwise;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Batch normalization over (N, H, W) per channel, as PyTorch's {@code nn.BatchNorm2d}. Training normalizes with
 * the batch's biased variance and moves the running statistics by {@code momentum}, storing the unbiased
 * variance; evaluation uses the running statistics. Statistics are summed in double for accuracy.
 */
public final class BatchNorm2d implements Layer {
    private final int channels;
    private final float eps;
    private final float momentum;
    private final Param weight;
    private final Param bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    // saved by forward for backward: its input, the statistics it used, its output (for a fused ReLU's mask)
    private Tensor input;
    private Tensor output;
    private float[] mean = new float[0];
    private float[] invStd = new float[0];
    private boolean trainedForward;
    private boolean fusedRelu;

    public BatchNorm2d(int channels, float eps, float momentum) {
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.weight = new Param("weight", Tensor.zeros(channels), Param.Kind.NORM);
        this.bias = new Param("bias", Tensor.zeros(channels), Param.Kind.NORM);
        this.weight.value().fill(1f);
        this.runningMean = Tensor.zeros(channels);
        this.runningVar = Tensor.zeros(channels);
        this.runningVar.fill(1f);
    }

    public Param weight() {
        return weight;
    }

    public Param bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    public float momentum() {
        return momentum;
    }

    public float eps() {
        return eps;
    }

    /** A convolution's weights and bias with this BatchNorm (eval mode: a per-channel affine map) folded in. */
    public record Folded(float[] weight, float[] bias) {
    }

    /**
     * {@code w' = w·γ/√(σ²+ε)}, {@code b' = β + (b − μ)·γ/√(σ²+ε)} for the convolution before this BatchNorm, its
     * weights {@code weight} ({@code channels} filters one after the other) and bias {@code convBias} (null: none);
     * new arrays, computed in double. What inference plans and the ONNX exporter run instead of conv + BatchNorm.
     */
    public Folded fold(float[] weight, float[] convBias) {
        float[] w = weight.clone(), b = new float[channels];
        float[] gamma = this.weight.value().data(), beta = bias.value().data();
        float[] mean = runningMean.data(), var = runningVar.data();
        int per = w.length / channels;
        for (int k = 0; k < channels; k++) {
            double scale = gamma[k] / Math.sqrt((double) var[k] + eps);
            for (int i = 0; i < per; i++) {
                w[k * per + i] = (float) (w[k * per + i] * scale);
            }
            double cb = convBias == null ? 0 : convBias[k];
            b[k] = (float) (beta[k] + (cb - mean[k]) * scale);
        }
        return new Folded(w, b);
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        visitor.param(Layer.join(prefix, "weight"), weight);
        visitor.param(Layer.join(prefix, "bias"), bias);
        visitor.buffer(Layer.join(prefix, "running_mean"), runningMean);
        visitor.buffer(Layer.join(prefix, "running_var"), runningVar);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return forward(x, training, false);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        return backward(gradOut, false);
    }

    /**
     * Forward, optionally with the ReLU that follows every BatchNorm in GoogLeNet fused in: one pass writes
     * {@code max(0, γ·(x − μ)/σ + β)}. Nothing else is stored: backward recomputes x̂ from the input (which its
     * producer keeps until its next forward) and takes the ReLU's mask from this output. The returned tensor is
     * this layer's buffer, valid until its next forward.
     */
    public Tensor forward(Tensor x, boolean training, boolean relu) {
        Shape.requireNchw(x, channels, "BatchNorm2d");
        int n = x.dim(0), hw = x.dim(2) * x.dim(3);
        long count = (long) n * hw;
        float[] in = x.data();
        output = Tensor.reuse(output, x.shape());
        float[] out = output.data();
        if (mean.length != channels) {
            mean = new float[channels];
            invStd = new float[channels];
        }
        float[] gamma = weight.value().data(), beta = bias.value().data();
        float[] rm = runningMean.data(), rv = runningVar.data();
        // channels are independent; a task takes a block of them and walks the images in order, so that it reads
        // contiguous runs of block·H·W floats (one channel's planes alone are short, scattered runs on small maps)
        int block = channelBlock(hw), blocks = (channels + block - 1) / block;
        Parallel.get().parallelFor(blocks, t -> {
            int c0 = t * block, c1 = Math.min(channels, c0 + block);
            if (training) {
                double[] s = new double[c1 - c0];
                for (int img = 0; img < n; img++) {
                    for (int c = c0; c < c1; c++) {
                        s[c - c0] += Elementwise.sum(in, (img * channels + c) * hw, hw);
                    }
                }
                for (int c = c0; c < c1; c++) {
                    mean[c] = (float) (s[c - c0] / count);
                    s[c - c0] = 0;
                }
                for (int img = 0; img < n; img++) {
                    for (int c = c0; c < c1; c++) {
                        s[c - c0] += Elementwise.sumSquaredDeviations(in, (img * channels + c) * hw, hw, mean[c]);
                    }
                }
                for (int c = c0; c < c1; c++) {
                    double ss = s[c - c0], biased = ss / count, unbiased = count > 1 ? ss / (count - 1) : biased;
                    rm[c] = (float) ((1 - momentum) * rm[c] + momentum * mean[c]);
                    rv[c] = (float) ((1 - momentum) * rv[c] + momentum * unbiased);
                    invStd[c] = (float) (1.0 / Math.sqrt((double) (float) biased + eps));
                }
            } else {
                for (int c = c0; c < c1; c++) {
                    mean[c] = rm[c];
                    invStd[c] = (float) (1.0 / Math.sqrt((double) rv[c] + eps));
                }
            }
            for (int img = 0; img < n; img++) {
                for (int c = c0; c < c1; c++) {
                    BatchNormKernels.normalize(in, out, (img * channels + c) * hw, hw, mean[c], gamma[c] * invStd[c],
                            beta[c], relu);
                }
            }
        });
        if (training) {
            runningMean.markChanged();
            runningVar.markChanged();
        }
        input = x;
        trainedForward = training;
        fusedRelu = relu;
        return output;
    }

    /** Channels per task: enough that each image contributes a contiguous run of a few KB, at least one channel. */
    private int channelBlock(int hw) {
        int byRun = Math.max(1, 1024 / Math.max(1, hw));
        int byBalance = Math.max(1, channels / (Parallel.get().threads() * Parallel.TASKS_PER_THREAD));
        return Math.min(byRun, byBalance);
    }

    /**
     * Backward of {@link #forward(Tensor, boolean, boolean)}; {@code relu} must match that forward's (the
     * gradient is first masked where the fused ReLU's output was 0). Returns a gradient in a buffer that all
     * BatchNorm layers of the thread share ({@link GradientScratch}): valid until the next BatchNorm backward.
     */
    public Tensor backward(Tensor gradOut, boolean relu) {
        if (relu != fusedRelu) {
            throw new IllegalStateException("BatchNorm2d: backward " + (relu ? "with" : "without")
                    + " a fused ReLU after a forward " + (fusedRelu ? "with" : "without") + " one");
        }
        Nchw.requireGrad(gradOut, input.shape(), "BatchNorm2d");
        int n = gradOut.dim(0), hw = gradOut.dim(2) * gradOut.dim(3);
        long count = (long) n * hw;
        float[] dy = gradOut.data(), x = input.data(), y = output.data();
        float[] gamma = weight.value().data();
        float[] dgamma = weight.grad().data(), dbeta = bias.grad().data();
        // the convolution before reads this gradient at once: one buffer serves every BatchNorm of the thread
        Tensor gradInput = GradientScratch.take(GradientScratch.Kind.BATCH_NORM, gradOut.shape());
        float[] d = gradInput.data();
        int block = channelBlock(hw), blocks = (channels + block - 1) / block;
        Parallel.get().parallelFor(blocks, t -> {
            int c0 = t * block, c1 = Math.min(channels, c0 + block);
            double[] sums = new double[2 * (c1 - c0)]; // per channel: Σ dy, Σ dy·(x − μ)
            for (int img = 0; img < n; img++) {
                for (int c = c0; c < c1; c++) {
                    BatchNormKernels.gradientSums(dy, y, x, (img * channels + c) * hw, hw, mean[c], relu, sums,
                            2 * (c - c0));
                }
            }
            float[] scale = new float[c1 - c0], a = new float[c1 - c0], b = new float[c1 - c0];
            for (int c = c0; c < c1; c++) {
                double sumDy = sums[2 * (c - c0)], sumDyXhat = sums[2 * (c - c0) + 1] * invStd[c];
                dgamma[c] += (float) sumDyXhat;
                dbeta[c] += (float) sumDy;
                scale[c - c0] = gamma[c] * invStd[c];
                // the batch statistics depend on x: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂));
                // with running statistics they are constants: dx = γ·σ⁻¹·dy
                a[c - c0] = trainedForward ? -scale[c - c0] * invStd[c] * (float) (sumDyXhat / count) : 0f;
                b[c - c0] = trainedForward ? -scale[c - c0] * (float) (sumDy / count) : 0f;
            }
            for (int img = 0; img < n; img++) {
                for (int c = c0; c < c1; c++) {
                    BatchNormKernels.inputGradient(dy, y, x, d, (img * channels + c) * hw, hw, mean[c],
                            scale[c - c0], a[c - c0], b[c - c0], relu);
                }
            }
        });
        return gradInput;
    }
}
