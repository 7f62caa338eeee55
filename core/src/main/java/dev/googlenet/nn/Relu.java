package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

/** max(0, x). Backward passes the gradient where the output was positive. */
public final class Relu implements Layer {
    private Tensor output;

    @Override
    public Tensor forward(Tensor x, boolean training) {
        float[] in = x.data();
        Tensor y = Tensor.zerosLike(x);
        float[] out = y.data();
        for (int i = 0; i < in.length; i++) {
            out[i] = Math.max(in[i], 0f);
        }
        output = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        float[] g = gradOut.data();
        float[] y = output.data();
        Tensor dx = Tensor.zerosLike(gradOut);
        float[] d = dx.data();
        for (int i = 0; i < g.length; i++) {
            d[i] = y[i] > 0f ? g[i] : 0f;
        }
        return dx;
    }
}
