package dev.googlenet.model;

import dev.googlenet.kernels.Elementwise;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.nn.Profiler;
import dev.googlenet.nn.Sequential;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.List;

/**
 * The Inception module: four branches on one input, concatenated along channels.
 * branch1: 1×1 · branch2: 1×1 reduce → 3×3 · branch3: 1×1 reduce → 5×5 (3×3 in torchvision) ·
 * branch4: 3×3/1 max pool → 1×1 projection. Child names follow torchvision ({@code branch2.1.conv.weight}).
 */
public final class Inception implements Layer {
    private final InceptionSpec spec;
    private final List<Layer> branches;
    private int[] splits; // output channels of each branch, saved for backward
    private int[] inputShape;
    // buffers reused between steps: the concatenated output, each branch's slice of its gradient, the input gradient
    private Tensor output;
    private final Tensor[] branchGrads = new Tensor[4];
    private final Tensor[] branchOutputs = new Tensor[4];
    private Tensor gradInput;

    public Inception(InceptionSpec spec, Variant variant) {
        this(spec, variant, variant.batchNorm());
    }

    /** {@code batchNorm} overrides the variant's choice (BatchNorm after each convolution, which then has no bias). */
    public Inception(InceptionSpec spec, Variant variant, boolean batchNorm) {
        this.spec = spec;
        boolean bn = batchNorm;
        int k3 = variant.branch3Kernel();
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

    public List<Layer> branches() {
        return branches;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Shape.requireNchw(x, spec.in(), spec.name());
        if (!training) {
            return inferenceForward(x);
        }
        Tensor[] outs = branchOutputs;
        for (int b = 0; b < outs.length; b++) {
            outs[b] = branches.get(b).forward(x, training);
        }
        inputShape = x.shape();
        long t = System.nanoTime();
        Tensor y = concat(outs);
        if (Profiler.enabled()) {
            Profiler.add("concat fwd", System.nanoTime() - t, 0);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        int n = gradOut.dim(0), hw = gradOut.dim(2) * gradOut.dim(3), total = gradOut.dim(1);
        gradInput = Tensor.reuse(gradInput, inputShape);
        float[] d = gradInput.data();
        int first = 0;
        for (int b = 0; b < branches.size(); b++) {
            int c = splits[b];
            Tensor slice = branchGrads[b] = Tensor.reuse(branchGrads[b], n, c, gradOut.dim(2), gradOut.dim(3));
            for (int img = 0; img < n; img++) {
                System.arraycopy(gradOut.data(), (img * total + first) * hw, slice.data(), img * c * hw, c * hw);
            }
            float[] g = branches.get(b).backward(slice).data();
            if (b == 0) {
                System.arraycopy(g, 0, d, 0, d.length);
            } else {
                Elementwise.addInPlace(d, g, d.length);
            }
            first += c;
        }
        return gradInput;
    }

    /** Inference: each branch's last convolution writes straight into its slice of the output (no concat copy). */
    private Tensor inferenceForward(Tensor x) {
        output = Tensor.reuse(output, outputShape(x.shape()));
        Tensor y = output;
        int[] widths = {spec.c1x1(), spec.c3x3(), spec.c5x5(), spec.poolProj()};
        int first = 0;
        for (int b = 0; b < branches.size(); b++) {
            Layer branch = branches.get(b);
            if (branch instanceof ConvBlock block) {
                block.forwardInto(x, y, first);
            } else {
                List<Layer> steps = ((Sequential) branch).layers();
                Tensor h = x;
                for (int i = 0; i < steps.size() - 1; i++) {
                    h = Profiler.forward(steps.get(i), h, false);
                }
                ((ConvBlock) steps.getLast()).forwardInto(h, y, first);
            }
            first += widths[b];
        }
        splits = widths;
        inputShape = x.shape();
        return y;
    }

    /** Concatenation along channels: each branch's maps land in their slice of the output. */
    private Tensor concat(Tensor[] parts) {
        int n = parts[0].dim(0), h = parts[0].dim(2), w = parts[0].dim(3), hw = h * w;
        if (splits == null || splits.length != parts.length) {
            splits = new int[parts.length];
        }
        int total = 0;
        for (int b = 0; b < parts.length; b++) {
            splits[b] = parts[b].dim(1);
            total += splits[b];
        }
        output = Tensor.reuse(output, n, total, h, w);
        Tensor y = output;
        int first = 0;
        for (int b = 0; b < parts.length; b++) {
            int c = splits[b];
            for (int img = 0; img < n; img++) {
                System.arraycopy(parts[b].data(), img * c * hw, y.data(), (img * total + first) * hw, c * hw);
            }
            first += c;
        }
        return y;
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
