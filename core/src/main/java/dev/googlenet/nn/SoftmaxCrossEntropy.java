package dev.googlenet.nn;

import dev.googlenet.kernels.Softmax;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Softmax followed by cross-entropy, averaged over the batch (PyTorch's {@code F.cross_entropy}); the softmax and
 * log-sum-exp are the shared {@link Softmax} kernel's.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    /** The mean loss and its gradient with respect to the logits. */
    public record Result(float loss, Tensor gradLogits) {
    }

    public static Result compute(Tensor logits, int[] labels) {
        if (logits.rank() != 2 || logits.dim(0) != labels.length) {
            throw new IllegalArgumentException("cross-entropy: logits " + Shape.toString(logits.shape())
                    + " do not fit " + labels.length + " labels");
        }
        int n = logits.dim(0), classes = logits.dim(1);
        float[] z = logits.data();
        Tensor grad = Tensor.zerosLike(logits);
        float[] g = grad.data();
        double total = 0;
        for (int i = 0; i < n; i++) {
            int label = labels[i];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("cross-entropy: label " + label + " of sample " + i
                        + " outside 0.." + (classes - 1));
            }
            int off = i * classes;
            total += Softmax.logSumExp(z, off, classes) - z[off + label];
            // the gradient of the mean loss: (softmax − one-hot) / n
            Softmax.softmax(z, off, g, off, classes, 1);
            for (int c = 0; c < classes; c++) {
                g[off + c] /= n;
            }
            g[off + label] -= 1f / n;
        }
        return new Result((float) (total / n), grad);
    }
}
