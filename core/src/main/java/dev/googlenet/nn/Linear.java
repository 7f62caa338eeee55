package dev.googlenet.nn;

import dev.googlenet.kernels.Gemm;
import dev.googlenet.kernels.Kernels;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/** Fully connected layer {@code y = x·Wᵀ + b} with W stored [out, in] as in PyTorch. */
public final class Linear implements Layer {
    private final int inFeatures;
    private final int outFeatures;
    private final Param weight;
    private final Param bias;
    private final Gemm gemm = Kernels.gemm();
    private Tensor input;
    private Tensor output;     // buffers reused between steps
    private Tensor gradInput;

    public Linear(int inFeatures, int outFeatures, boolean bias) {
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = new Param("weight", Tensor.zeros(outFeatures, inFeatures), Param.Kind.WEIGHT);
        this.bias = bias ? new Param("bias", Tensor.zeros(outFeatures), Param.Kind.BIAS) : null;
    }

    public Param weight() {
        return weight;
    }

    public Param bias() {
        return bias;
    }

    public int inFeatures() {
        return inFeatures;
    }

    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public int[] outputShape(int[] in) {
        return new int[] {in[0], outFeatures};
    }

    @Override
    public long multiplyAdds(int[] in) {
        return (long) in[0] * inFeatures * outFeatures;
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        visitor.param(Layer.join(prefix, "weight"), weight);
        if (bias != null) {
            visitor.param(Layer.join(prefix, "bias"), bias);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        if (x.rank() != 2 || x.dim(1) != inFeatures) {
            throw new IllegalArgumentException(
                    "Linear: expected input [N," + inFeatures + "], got " + Shape.toString(x.shape()));
        }
        int n = x.dim(0);
        output = Tensor.reuse(output, n, outFeatures);
        Tensor y = output;
        gemm.sgemm(false, true, n, outFeatures, inFeatures, x.data(), 0, inFeatures,
                weight.value().data(), 0, inFeatures, 0f, y.data(), 0, outFeatures);
        if (bias != null) {
            Conv2d.addBias(y.data(), bias.value().data(), n, outFeatures, 1);
        }
        input = x;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = gradOut.dim(0);
        float[] dy = gradOut.data();
        // dW += dYᵀ·X
        gemm.sgemm(true, false, outFeatures, inFeatures, n, dy, 0, outFeatures,
                input.data(), 0, inFeatures, 1f, weight.grad().data(), 0, inFeatures);
        if (bias != null) {
            float[] db = bias.grad().data();
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < outFeatures; o++) {
                    db[o] += dy[i * outFeatures + o];
                }
            }
        }
        // dX = dY·W
        gradInput = Tensor.reuse(gradInput, n, inFeatures);
        Tensor dx = gradInput;
        gemm.sgemm(false, false, n, inFeatures, outFeatures, dy, 0, outFeatures,
                weight.value().data(), 0, inFeatures, 0f, dx.data(), 0, inFeatures);
        return dx;
    }
}
