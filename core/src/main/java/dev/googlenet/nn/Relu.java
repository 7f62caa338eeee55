package dev.googlenet.nn;

import dev.googlenet.kernels.Elementwise;
import dev.googlenet.tensor.Tensor;

/**
 * max(0, x). Backward passes the gradient where the output was positive. Output and input gradient are this
 * layer's buffers, valid until its next forward / backward.
 */
public final class Relu implements Layer {
    private Tensor output;
    private Tensor gradInput;

    @Override
    public Tensor forward(Tensor x, boolean training) {
        output = Tensor.reuse(output, x.shape());
        Elementwise.relu(x.data(), output.data(), x.size());
        return output;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, output.shape(), "Relu");
        gradInput = Tensor.reuse(gradInput, gradOut.shape());
        Elementwise.reluBackward(output.data(), gradOut.data(), gradInput.data(), gradOut.size());
        return gradInput;
    }
}
