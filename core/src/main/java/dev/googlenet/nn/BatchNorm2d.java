package dev.googlenet.nn;

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
        for (int c = 0; c < channels; c++) {
            float mean, var;
            if (training) {
                double s = 0;
                for (int img = 0; img < n; img++) {
                    int off = (img * channels + c) * hw;
                    for (int i = 0; i < hw; i++) {
                        s += in[off + i];
                    }
                }
                double m = s / count;
                double ss = 0;
                for (int img = 0; img < n; img++) {
                    int off = (img * channels + c) * hw;
                    for (int i = 0; i < hw; i++) {
                        double d = in[off + i] - m;
                        ss += d * d;
                    }
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
                for (int i = 0; i < hw; i++) {
                    float v = (in[off + i] - mean) * is;
                    xh[off + i] = v;
                    out[off + i] = v * gamma[c] + beta[c];
                }
            }
        }
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
        for (int c = 0; c < channels; c++) {
            double sumDy = 0, sumDyXhat = 0;
            for (int img = 0; img < n; img++) {
                int off = (img * channels + c) * hw;
                for (int i = 0; i < hw; i++) {
                    sumDy += dy[off + i];
                    sumDyXhat += (double) dy[off + i] * xh[off + i];
                }
            }
            dgamma[c] += (float) sumDyXhat;
            dbeta[c] += (float) sumDy;
            float scale = gamma[c] * invStd[c];
            if (trainedForward) {
                // the batch statistics depend on x: dx = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂))
                float meanDy = (float) (sumDy / count), meanDyXhat = (float) (sumDyXhat / count);
                for (int img = 0; img < n; img++) {
                    int off = (img * channels + c) * hw;
                    for (int i = 0; i < hw; i++) {
                        d[off + i] = scale * (dy[off + i] - meanDy - xh[off + i] * meanDyXhat);
                    }
                }
            } else {
                for (int img = 0; img < n; img++) {
                    int off = (img * channels + c) * hw;
                    for (int i = 0; i < hw; i++) {
                        d[off + i] = scale * dy[off + i];
                    }
                }
            }
        }
        return dx;
    }
}
