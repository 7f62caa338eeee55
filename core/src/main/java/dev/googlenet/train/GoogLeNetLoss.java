package dev.googlenet.train;

import dev.googlenet.kernels.Softmax;
import dev.googlenet.model.Outputs;
import dev.googlenet.nn.SoftmaxCrossEntropy;
import dev.googlenet.tensor.Tensor;

/**
 * The paper's training loss: cross-entropy of the main classifier plus {@code auxWeight} (0.3 in the paper)
 * times each auxiliary classifier's cross-entropy. The aux terms are left out when the outputs have none; with
 * {@code auxWeight} 0 their losses are still reported but no gradient flows into the aux heads (their gradients
 * are null). Optionally with label smoothing (see {@link #crossEntropy}).
 */
public final class GoogLeNetLoss {
    public static final float PAPER_AUX_WEIGHT = 0.3f;

    private GoogLeNetLoss() {
    }

    /** The weighted total, its three parts (aux parts NaN without aux heads), and the gradients of the total. */
    public record Result(float total, float main, float aux1, float aux2, Outputs gradients) {
    }

    public static Result compute(Outputs out, int[] labels, float auxWeight) {
        return compute(out, labels, auxWeight, 0f);
    }

    /** As {@link #compute(Outputs, int[], float)}, every term with label smoothing {@code smoothing}. */
    public static Result compute(Outputs out, int[] labels, float auxWeight, float smoothing) {
        SoftmaxCrossEntropy.Result main = crossEntropy(out.main(), labels, smoothing);
        if (!out.hasAux()) {
            return new Result(main.loss(), main.loss(), Float.NaN, Float.NaN,
                    new Outputs(main.gradLogits(), null, null));
        }
        SoftmaxCrossEntropy.Result a1 = crossEntropy(out.aux1(), labels, smoothing);
        SoftmaxCrossEntropy.Result a2 = crossEntropy(out.aux2(), labels, smoothing);
        float total = main.loss() + auxWeight * (a1.loss() + a2.loss());
        if (auxWeight == 0f) {
            return new Result(total, main.loss(), a1.loss(), a2.loss(), new Outputs(main.gradLogits(), null, null));
        }
        return new Result(total, main.loss(), a1.loss(), a2.loss(),
                new Outputs(main.gradLogits(), scale(a1.gradLogits(), auxWeight), scale(a2.gradLogits(), auxWeight)));
    }

    /**
     * Mean cross-entropy against smoothed targets, as PyTorch's {@code cross_entropy(label_smoothing=ε)}: the
     * target puts {@code 1 − ε + ε/C} on the label and {@code ε/C} on every other class, so the loss is
     * {@code (1 − ε)·CE + ε·mean over classes of −log p}, and its gradient is {@code (softmax − target)/N}.
     * {@code ε = 0} is the plain cross-entropy.
     */
    public static SoftmaxCrossEntropy.Result crossEntropy(Tensor logits, int[] labels, float smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        }
        SoftmaxCrossEntropy.Result plain = SoftmaxCrossEntropy.compute(logits, labels);
        if (smoothing == 0f) {
            return plain;
        }
        int n = logits.dim(0), classes = logits.dim(1);
        float[] z = logits.data(), g = plain.gradLogits().data();
        double uniformTerm = 0; // Σ over samples of mean over classes of −log p
        for (int i = 0; i < n; i++) {
            int off = i * classes;
            double sumZ = 0;
            for (int c = 0; c < classes; c++) {
                sumZ += z[off + c];
            }
            double logSum = Softmax.logSumExp(z, off, classes);
            uniformTerm += logSum - sumZ / classes;
            // plain gradient is (p − onehot)/n; the smoothed target adds ε·onehot/n and subtracts ε/(C·n)
            g[off + labels[i]] += smoothing / n;
            for (int c = 0; c < classes; c++) {
                g[off + c] -= smoothing / classes / n;
            }
        }
        float loss = (float) ((1 - smoothing) * plain.loss() + smoothing * uniformTerm / n);
        return new SoftmaxCrossEntropy.Result(loss, plain.gradLogits());
    }

    private static Tensor scale(Tensor t, float s) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= s;
        }
        return t;
    }
}
