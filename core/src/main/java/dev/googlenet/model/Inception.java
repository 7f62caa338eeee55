package dev.googlenet.model;

import dev.googlenet.nn.Concat;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.nn.Sequential;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.List;

/**
 * The Inception module: four branches on one input, concatenated along channels.
 * branch1: 1×1 · branch2: 1×1 reduce → 3×3 · branch3: 1×1 reduce → 5×5 (3×3 in torchvision) ·
 * branch4: 3×3/1 max pool → 1×1 projection. Child names follow torchvision ({@code branch2.1.conv.weight}).
 * How it runs fast (the three 1×1s of the input as one GEMM, the pool fused into the projection, outputs written
 * straight into their slice) is the inference plan's business, not this definition's.
 */
public final class Inception implements Layer {
    private final InceptionSpec spec;
    private final List<Layer> branches;
    private final Concat concat = new Concat();
    private final Tensor[] outputs = new Tensor[4];
    private Tensor gradInput;

    public Inception(InceptionSpec spec, Variant variant) {
        this(spec, variant, variant.batchNorm());
    }

    /** {@code batchNorm} overrides the variant's choice (BatchNorm after each convolution, which then has no bias). */
    public Inception(InceptionSpec spec, Variant variant, boolean bn) {
        this.spec = spec;
        int k3 = variant.branch3Kernel(); // torchvision: 3×3 here, where the paper has 5×5
        this.branches = List.of(
                new ConvBlock(spec.in(), spec.c1x1(), 1, 1, 0, bn),
                new Sequential()
                        .add(new ConvBlock(spec.in(), spec.c3x3red(), 1, 1, 0, bn))
                        .add(new ConvBlock(spec.c3x3red(), spec.c3x3(), 3, 1, 1, bn)),
                new Sequential()
                        .add(new ConvBlock(spec.in(), spec.c5x5red(), 1, 1, 0, bn))
                        .add(new ConvBlock(spec.c5x5red(), spec.c5x5(), k3, 1, k3 / 2, bn)),
                new Sequential()
                        // torchvision sets ceil_mode here too; with stride 1 and padding 1 it changes nothing
                        .add(new MaxPool2d(3, 1, 1, true))
                        .add(new ConvBlock(spec.in(), spec.poolProj(), 1, 1, 0, bn)));
    }

    public InceptionSpec spec() {
        return spec;
    }

    /** branch1 … branch4: a ConvBlock, then three Sequentials of two layers each. */
    public List<Layer> branches() {
        return branches;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Shape.requireNchw(x, spec.in(), spec.name());
        for (int b = 0; b < 4; b++) {
            outputs[b] = branches.get(b).forward(x, training);
        }
        return concat.forward(outputs);
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        for (int b = 0; b < 4; b++) {
            Tensor g = branches.get(b).backward(concat.backwardPart(gradOut, b));
            gradInput = Concat.accumulate(gradInput, g, b == 0); // every branch read the input: add theirs up
        }
        return gradInput;
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] out = branches.getFirst().outputShape(in);
        out[1] = spec.out();
        return out;
    }

    @Override
    public long multiplyAdds(int[] in) {
        return branches.stream().mapToLong(b -> b.multiplyAdds(in)).sum();
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        for (int b = 0; b < branches.size(); b++) {
            branches.get(b).visitState(Layer.join(prefix, "branch" + (b + 1)), visitor);
        }
    }
}
