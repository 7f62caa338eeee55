package dev.googlenet.model;

import dev.googlenet.nn.AdaptiveAvgPool2d;
import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.Dropout;
import dev.googlenet.nn.Flatten;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Linear;
import dev.googlenet.nn.Relu;
import dev.googlenet.nn.Sequential;
import dev.googlenet.tensor.Tensor;

/**
 * An auxiliary classifier (after 4a and 4d): 5×5/3 average pool → 1×1 conv 128 + ReLU → FC 1024 + ReLU →
 * dropout 0.7 → linear. Its loss, weighted 0.3, fights vanishing gradients; it never runs at inference.
 * torchvision pools adaptively to 4×4 instead (the same 4×4 at 224×224 input).
 */
public final class AuxHead implements Layer {
    private final Sequential layers;

    public AuxHead(int in, int numClasses, Variant variant, float dropout, long seed) {
        this(in, numClasses, variant, variant.batchNorm(), dropout, seed);
    }

    /** {@code batchNorm} overrides the variant's choice for the head's convolution. */
    public AuxHead(int in, int numClasses, Variant variant, boolean batchNorm, float dropout, long seed) {
        this(in, numClasses, variant, batchNorm, dropout, seed, variant == Variant.PAPER
                ? new AvgPool2d(5, 3, 0, true, false)
                : new AdaptiveAvgPool2d(4, 4), 4, 128, 1024);
    }

    /**
     * A head with its own pooling (which must give {@code pooledSide × pooledSide} maps) and widths: the
     * small-input network pools its 7×7 maps to 2×2 and scales 128 and 1024 by its width multiplier.
     */
    public AuxHead(int in, int numClasses, Variant variant, boolean batchNorm, float dropout, long seed, Layer pool,
                   int pooledSide, int convChannels, int fcChannels) {
        this.layers = new Sequential()
                .add("pool", pool)
                .add("conv", new ConvBlock(in, convChannels, 1, 1, 0, batchNorm))
                .add("flatten", new Flatten())
                .add("fc1", new Linear(convChannels * pooledSide * pooledSide, fcChannels, true))
                .add("relu", new Relu())
                .add("dropout", new Dropout(dropout, seed))
                .add("fc2", new Linear(fcChannels, numClasses, true));
    }

    public Sequential layers() {
        return layers;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return layers.forward(x, training);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        return layers.backward(gradOut);
    }

    @Override
    public int[] outputShape(int[] in) {
        return layers.outputShape(in);
    }

    @Override
    public long multiplyAdds(int[] in) {
        return layers.multiplyAdds(in);
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        layers.visitState(prefix, visitor);
    }
}
