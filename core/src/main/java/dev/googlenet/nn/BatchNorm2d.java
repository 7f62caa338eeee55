package dev.googlenet.nn;

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

    // saved by forward for backward
    private Tensor xhat;
    private float[] invStd;
    private boolean trainedForward;

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

    public float eps() {
        return eps;
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
        Shape.requireNchw(x, channels, "BatchNorm2d");
        int n = x.dim(0), hw = x.dim(2) * x.dim(3);
        long count = (long) n * hw;
        float[] in = x.data();
        Tensor y = Tensor.zerosLike(x);
        float[] out = y.data();
        xhat = Tensor.zerosLike(x);
        float[] xh = xhat.data();
        invStd = new float[channels];
        float[] gamma = weight.value().data(), beta = bias.value().data();
        float[] rm = runningMean.data(), rv = runningVar.data();
        // channels are independent: one task each
        Parallel.get().parallelFor(channels, c -> {
            float mean, var;
            if (training) {
                double s = 0;
                for (int img = 0; img < n; img++) {
                    s += Elementwise.sum(in, (img * channels + c) * hw, hw);
                }
                double m = s / count;
                double ss = 0;
                for (int img = 0; img < n; img++) {
                    ss += Elementwise.sumSquaredDeviations(in, (img * channels + c) * hw, hw, (float) m);
                }
                double biased = ss / count;
                mean = (float) m;
                var = (float) biased;
                double unbiased = count > 1 ? ss / (count - 1) : biased;
                rm[c] = (float) ((1 - momentum) * rm[c] + momentum * m);
                rv[c] = (float) ((1 - momentum) * rv[c] + momentum * unbiased);
            } else {
                mean = rm[c];
                var = rv[c];
            }
            float is = (float) (1.0 / Math.sqrt((double) var + eps));
            invStd[c] = is;
            for (int img = 0; img < n; img++) {
                int off = (img * channels + c) * hw;
                Elementwise.affine(in, xh, off, hw, is, -mean * is);             // x̂ = (x − μ)/σ
                Elementwise.affine(xh, out, off, hw, gamma[c], beta[c]);         // y = γ·x̂ + β
            }
        });
        if (training) {
            runningMean.markChanged();
            runningVar.markChanged();
        }
        trainedForward = training;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = gradOut.dim(0), hw = gradOut.dim(2) * gradOut.dim(3);
        long count = (long) n * hw;
        float[] dy = gradOut.data(), xh = xhat.data();
        float[] gamma = weight.value().data();
        float[] dgamma = weight.grad().data(), dbeta = bias.grad().data();
        Tensor dx = Tensor.zerosLike(gradOut);
        float[] d = dx.data();
        Parallel.get().parallelFor(channels, c -> {
            double sumDy = 0, sumDyXhat = 0;
            for (int img = 0; img < n; img++) {
                int off = (img * channels + c) * hw;
                sumDy += Elementwise.sum(dy, off, hw);
                sumDyXhat += Elementwise.dot(dy, xh, off, hw);
            }
            dgamma[c] += (float) sumDyXhat;
            dbeta[c] += (float) sumDy;
            float scale = gamma[c] * invStd[c];
            for (int img = 0; img < n; img++) {
                int off = (img * channels + c) * hw;
                if (trainedForward) {
                    // the batch statistics depend on x: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂))
                    float meanDy = (float) (sumDy / count), meanDyXhat = (float) (sumDyXhat / count);
                    Elementwise.affine(xh, d, off, hw, -scale * meanDyXhat, -scale * meanDy);
                    Elementwise.fmaInPlace(d, dy, off, hw, scale);
                } else {
                    Elementwise.affine(dy, d, off, hw, scale, 0f);
                }
            }
        });
        return dx;
    }
}
