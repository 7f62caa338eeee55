package dev.googlenet.train;

import dev.googlenet.model.Outputs;
import dev.googlenet.nn.SoftmaxCrossEntropy;
import dev.googlenet.tensor.Tensor;

/**
 * The paper's training loss: cross-entropy of the main classifier plus {@code auxWeight} (0.3 in the paper)
 * times each auxiliary classifier's cross-entropy. The aux terms are left out when the outputs have none.
 */
public final class GoogLeNetLoss {
    public static final float PAPER_AUX_WEIGHT = 0.3f;

    private GoogLeNetLoss() {
    }

    /** The weighted total, its three parts (aux parts NaN without aux heads), and the gradients of the total. */
    public record Result(float total, float main, float aux1, float aux2, Outputs gradients) {
    }

    public static Result compute(Outputs out, int[] labels, float auxWeight) {
        SoftmaxCrossEntropy.Result main = SoftmaxCrossEntropy.compute(out.main(), labels);
        if (!out.hasAux()) {
            return new Result(main.loss(), main.loss(), Float.NaN, Float.NaN,
                    new Outputs(main.gradLogits(), null, null));
        }
        SoftmaxCrossEntropy.Result a1 = SoftmaxCrossEntropy.compute(out.aux1(), labels);
        SoftmaxCrossEntropy.Result a2 = SoftmaxCrossEntropy.compute(out.aux2(), labels);
        float total = main.loss() + auxWeight * (a1.loss() + a2.loss());
        return new Result(total, main.loss(), a1.loss(), a2.loss(),
                new Outputs(main.gradLogits(), scale(a1.gradLogits(), auxWeight), scale(a2.gradLogits(), auxWeight)));
    }

    private static Tensor scale(Tensor t, float s) {
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            d[i] *= s;
        }
        return t;
    }
}
