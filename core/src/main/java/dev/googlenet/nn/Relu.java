package dev.googlenet.nn;

import dev.googlenet.kernels.Elementwise;
import dev.googlenet.tensor.Tensor;

/** max(0, x). Backward passes the gradient where the output was positive. */
public final class Relu implements Layer {
    private Tensor output;

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor y = Tensor.zerosLike(x);
        Elementwise.relu(x.data(), y.data(), x.size());
        output = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor dx = Tensor.zerosLike(gradOut);
        Elementwise.reluBackward(output.data(), gradOut.data(), dx.data(), gradOut.size());
        return dx;
    }
}
