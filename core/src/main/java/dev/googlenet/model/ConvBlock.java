package dev.googlenet.model;

import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Conv2d;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Relu;
import dev.googlenet.tensor.Tensor;

/**
 * Convolution + ReLU, with BatchNorm in between for the torchvision variant (its {@code BasicConv2d}, whose
 * convolutions then drop their bias). Children are named {@code conv} and {@code bn} as in torchvision.
 * BatchNorm's ReLU runs inside its own pass ({@link BatchNorm2d#forward(Tensor, boolean, boolean)}), as
 * torchvision's in-place {@code F.relu} on the BatchNorm output does.
 */
public final class ConvBlock implements Layer {
    private final Conv2d conv;
    private final BatchNorm2d bn; // null in the paper variant
    private final Relu relu = new Relu();

    public ConvBlock(int in, int out, int kernel, int stride, int padding, boolean batchNorm) {
        this.conv = new Conv2d(in, out, kernel, stride, padding, !batchNorm);
        this.bn = batchNorm ? new BatchNorm2d(out, Variant.BN_EPS, 0.1f) : null;
    }

    public Conv2d conv() {
        return conv;
    }

    /** The BatchNorm, or null when this block has none. */
    public BatchNorm2d bn() {
        return bn;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor y = conv.forward(x, training);
        return bn != null ? bn.forward(y, training, true) : relu.forward(y, training);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Tensor g = bn != null ? bn.backward(gradOut, true) : relu.backward(gradOut);
        return conv.backward(g);
    }

    @Override
    public int[] outputShape(int[] in) {
        return conv.outputShape(in);
    }

    @Override
    public long multiplyAdds(int[] in) {
        return conv.multiplyAdds(in);
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        conv.visitState(Layer.join(prefix, "conv"), visitor);
        if (bn != null) {
            bn.visitState(Layer.join(prefix, "bn"), visitor);
        }
    }
}
