package dev.googlenet.nn;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.Arrays;

/**
 * [N, d1, d2, ...] -> [N, d1*d2*...], as PyTorch's {@code nn.Flatten()} (start_dim 1). Row-major storage makes
 * this a reshape: output and gradient share storage with their inputs, no copy.
 */
public final class Flatten implements Layer {
    private int[] inputShape;
    private int[] outputShape;

    @Override
    public int[] outputShape(int[] in) {
        if (in.length < 2) {
            throw new IllegalArgumentException("Flatten: expected input [N, ...] of rank >= 2, got "
                    + Shape.toString(in));
        }
        long features = Shape.size(Arrays.copyOfRange(in, 1, in.length));
        return new int[] {in[0], Math.toIntExact(features)};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int[] out = outputShape(x.shape());
        inputShape = x.shape();
        outputShape = out;
        return x.reshape(out);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, outputShape, "Flatten");
        return gradOut.reshape(inputShape);
    }

    @Override
    public String toString() {
        return "Flatten()";
    }
}
