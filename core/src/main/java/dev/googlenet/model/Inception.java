package dev.googlenet.model;

import dev.googlenet.kernels.Elementwise;
import dev.googlenet.nn.Conv2d;
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
    // inference: the three 1×1 convolutions of the input stacked into one (see stackedPointwise)
    private float[] stackedWeight;
    private float[] stackedBias;
    private int[] stackedFrom;
    private Tensor reduced3;
    private Tensor reduced5;
    // training: the same three as one layer; and the input of the last forward when it was an inference one
    private StackedPointwise stackedTraining;
    private Tensor inferredInput;

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
        if (STACK_POINTWISE) {
            StackedPointwise pointwise = stacked();
            outs[0] = pointwise.forward(x, true); // branch 1: its channels come first
            outs[1] = branchTail(1).forward(pointwise.output(1), true);
            outs[2] = branchTail(2).forward(pointwise.output(2), true);
            outs[3] = branches.get(3).forward(x, true);
        } else {
            for (int b = 0; b < outs.length; b++) {
                outs[b] = branches.get(b).forward(x, training);
            }
        }
        inferredInput = null;
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
        if (inferredInput != null && ConvBlock.FUSE_POOL) { // after an inference forward, the fused pool kept nothing
            branches.get(3).forward(inferredInput, false);
        }
        gradInput = Tensor.reuse(gradInput, inputShape);
        float[] d = gradInput.data();
        int first = 0;
        for (int b = 0; b < branches.size(); b++) {
            int c = splits[b];
            if (b > 0 || !STACK_POINTWISE) { // stacked, branch 1's gradient is read from gradOut in place
                Tensor slice = branchGrads[b] = Tensor.reuse(branchGrads[b], n, c, gradOut.dim(2), gradOut.dim(3));
                for (int img = 0; img < n; img++) {
                    System.arraycopy(gradOut.data(), (img * total + first) * hw, slice.data(), img * c * hw, c * hw);
                }
            }
            first += c;
        }
        if (STACK_POINTWISE) {
            if (inferredInput != null) { // rare: backward after an inference forward; redo what backward needs
                stacked().forward(inferredInput, false);
            }
            Tensor g = stacked().backward(gradOut, 0, branchTail(1).backward(branchGrads[1]),
                    branchTail(2).backward(branchGrads[2]));
            System.arraycopy(g.data(), 0, d, 0, d.length);
            Elementwise.addInPlace(d, branches.get(3).backward(branchGrads[3]).data(), d.length);
            return gradInput;
        }
        for (int b = 0; b < branches.size(); b++) {
            Tensor slice = branchGrads[b];
            float[] g = branches.get(b).backward(slice).data();
            if (b == 0) {
                System.arraycopy(g, 0, d, 0, d.length);
            } else {
                Elementwise.addInPlace(d, g, d.length);
            }
        }
        return gradInput;
    }

    /**
     * Inference: each branch's last convolution writes straight into its slice of the output (no concat copy), and
     * the three 1×1 convolutions of the input (branch 1 and the two reductions) run as one GEMM, which unfolds and
     * reads the input once for all three.
     */
    private Tensor inferenceForward(Tensor x) {
        output = Tensor.reuse(output, outputShape(x.shape()));
        Tensor y = output;
        int[] widths = {spec.c1x1(), spec.c3x3(), spec.c5x5(), spec.poolProj()};
        if (STACK_POINTWISE) {
            stackedPointwise(x, y);
            branchTail(1).forwardInto(reduced3, y, widths[0]);
            branchTail(2).forwardInto(reduced5, y, widths[0] + widths[1]);
        } else {
            ConvBlock[] pointwise = pointwiseBlocks();
            pointwise[0].forwardInto(x, y, 0);
            branchTail(1).forwardInto(Profiler.forward(pointwise[1], x, false), y, widths[0]);
            branchTail(2).forwardInto(Profiler.forward(pointwise[2], x, false), y, widths[0] + widths[1]);
        }
        List<Layer> branch4 = ((Sequential) branches.get(3)).layers();
        ConvBlock projection = (ConvBlock) branch4.getLast();
        int offset = widths[0] + widths[1] + widths[2];
        if (ConvBlock.FUSE_POOL) {
            projection.forwardPooledInto(x, (MaxPool2d) branch4.getFirst(), y, offset);
        } else {
            projection.forwardInto(Profiler.forward(branch4.getFirst(), x, false), y, offset);
        }
        splits = widths;
        inputShape = x.shape();
        inferredInput = x;
        return y;
    }

    /** The last block of branch 2 or 3 (the 3×3 or "5×5" convolution after its reduction). */
    private ConvBlock branchTail(int b) {
        return (ConvBlock) ((Sequential) branches.get(b)).layers().getLast();
    }

    /** The three 1×1 blocks on the input: branch 1, and the first blocks (reductions) of branches 2 and 3. */
    private ConvBlock[] pointwiseBlocks() {
        return new ConvBlock[] {(ConvBlock) branches.get(0),
                (ConvBlock) ((Sequential) branches.get(1)).layers().getFirst(),
                (ConvBlock) ((Sequential) branches.get(2)).layers().getFirst()};
    }

    private StackedPointwise stacked() {
        if (stackedTraining == null) {
            stackedTraining = new StackedPointwise(pointwiseBlocks());
        }
        return stackedTraining;
    }

    /**
     * Whether the three 1×1 convolutions of the input run stacked, as one (inference: {@link #stackedPointwise};
     * training: {@link StackedPointwise}). Off: one GEMM each, for A/B timing.
     */
    private static final boolean STACK_POINTWISE =
            !"false".equals(System.getProperty("googlenet.inception.stackPointwise"));

    /**
     * Branch 1 into its slice of y, the 3×3 and 5×5 reductions into their buffers: one convolution whose filters
     * are the three blocks' inference filters stacked (rebuilt when any of them changes).
     */
    private void stackedPointwise(Tensor x, Tensor y) {
        ConvBlock[] blocks = pointwiseBlocks();
        ConvBlock.InferenceParameters[] ps = new ConvBlock.InferenceParameters[3];
        int[] from = new int[0];
        for (int i = 0; i < 3; i++) {
            ps[i] = blocks[i].inferenceParameters();
            from = append(from, ps[i].from());
        }
        if (stackedWeight == null || !java.util.Arrays.equals(from, stackedFrom)) {
            int rows = spec.c1x1() + spec.c3x3red() + spec.c5x5red(), k = spec.in();
            stackedWeight = new float[rows * k];
            stackedBias = ps[0].bias() == null ? null : new float[rows];
            int row = 0;
            for (ConvBlock.InferenceParameters p : ps) {
                int c = p.weight().length / k;
                System.arraycopy(p.weight(), 0, stackedWeight, row * k, c * k);
                if (stackedBias != null) {
                    System.arraycopy(p.bias(), 0, stackedBias, row, c);
                }
                row += c;
            }
            stackedFrom = from;
        }
        int n = x.dim(0), h = x.dim(2), w = x.dim(3);
        reduced3 = Tensor.reuse(reduced3, n, spec.c3x3red(), h, w);
        reduced5 = Tensor.reuse(reduced5, n, spec.c5x5red(), h, w);
        List<Conv2d.Slice> slices = List.of(new Conv2d.Slice(y, 0, spec.c1x1()),
                new Conv2d.Slice(reduced3, 0, spec.c3x3red()), new Conv2d.Slice(reduced5, 0, spec.c5x5red()));
        long macs = (long) n * h * w * spec.in() * (spec.c1x1() + spec.c3x3red() + spec.c5x5red());
        String category = Profiler.byShapeEnabled()
                ? String.format(java.util.Locale.ROOT, "conv 1×1/1 %d→%d+%d+%d %d×%d fwd", spec.in(), spec.c1x1(),
                        spec.c3x3red(), spec.c5x5red(), h, w)
                : "conv 1×1/1 fwd";
        Profiler.timed(category, macs, () -> {
            blocks[0].conv().forwardInto(x, stackedWeight, stackedBias, true, slices);
            return null;
        });
        for (ConvBlock b : blocks) {
            b.inferredFrom(x);
        }
    }

    private static int[] append(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /**
     * Concatenation along channels: each branch's maps land in their slice of the output. A part may hold more
     * channels than its branch's width (the stacked 1×1 output): its first ones are the branch's.
     */
    private Tensor concat(Tensor[] parts) {
        int n = parts[0].dim(0), h = parts[0].dim(2), w = parts[0].dim(3), hw = h * w;
        splits = new int[] {spec.c1x1(), spec.c3x3(), spec.c5x5(), spec.poolProj()};
        int total = spec.out();
        output = Tensor.reuse(output, n, total, h, w);
        Tensor y = output;
        int first = 0;
        for (int b = 0; b < parts.length; b++) {
            int c = splits[b], pc = parts[b].dim(1);
            for (int img = 0; img < n; img++) {
                System.arraycopy(parts[b].data(), img * pc * hw, y.data(), (img * total + first) * hw, c * hw);
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
