package dev.googlenet.model;

import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Conv2d;
import dev.googlenet.nn.Param;
import dev.googlenet.nn.Profiler;
import dev.googlenet.nn.Relu;
import dev.googlenet.tensor.Tensor;

/**
 * The 1×1 convolutions of an Inception module's input (branch 1 and the 3×3 and 5×5 reductions) as one layer in
 * training: one GEMM with their filters stacked, one BatchNorm+ReLU pass over the stacked channels (BatchNorm is per
 * channel, so that is exactly what the three blocks compute), and one input gradient instead of three to add up.
 * On small maps this unfolds and reads the input once instead of three times.
 *
 * <p>The blocks keep their own parameters, so names, the optimizer and checkpoints do not change: each forward copies
 * them in (a few hundred KB), and backward adds the gradients (and forward the running statistics) back out.
 */
final class StackedPointwise {
    private final ConvBlock[] blocks;
    private final int[] widths;
    private final int rows;
    private final Conv2d conv;
    private final BatchNorm2d bn; // null when the blocks have none (paper variant)
    private final Relu relu = new Relu();
    private final Tensor[] outputs;
    private Tensor gradStacked;

    StackedPointwise(ConvBlock... blocks) {
        this.blocks = blocks.clone();
        this.widths = new int[blocks.length];
        int in = blocks[0].conv().inChannels(), sum = 0;
        boolean norm = blocks[0].bn() != null;
        for (int i = 0; i < blocks.length; i++) {
            Conv2d c = blocks[i].conv();
            if (c.inChannels() != in || c.kernelH() != 1 || c.kernelW() != 1 || c.stride() != 1 || c.padding() != 0
                    || (blocks[i].bn() != null) != norm) {
                throw new IllegalArgumentException("only 1×1/1 blocks of the same input and kind stack");
            }
            widths[i] = c.outChannels();
            sum += widths[i];
        }
        this.rows = sum;
        this.conv = new Conv2d(in, rows, 1, 1, 0, !norm);
        this.bn = norm ? new BatchNorm2d(rows, blocks[0].bn().eps(), blocks[0].bn().momentum()) : null;
        this.outputs = new Tensor[blocks.length];
    }

    /**
     * Forward on x: returns the stacked output (the blocks' channels one after the other; branch 1 reads its
     * channels from there), and copies each later block's channels into {@link #output} for the convolution that
     * follows. Buffers valid until the next forward. {@code training}: batch statistics (and running-statistics
     * updates), else the running statistics.
     */
    Tensor forward(Tensor x, boolean training) {
        gather(p -> p.conv().weight(), conv.weight());
        if (bn == null) {
            gather(p -> p.conv().bias(), conv.bias());
        } else {
            gather(p -> p.bn().weight(), bn.weight());
            gather(p -> p.bn().bias(), bn.bias());
            gatherBuffer(p -> p.bn().runningMean(), bn.runningMean());
            gatherBuffer(p -> p.bn().runningVar(), bn.runningVar());
        }
        Tensor y = Profiler.forward(conv, x, training);
        Tensor z = bn == null ? Profiler.forward(relu, y, training)
                : Profiler.timed("batchnorm+relu fwd", 0, () -> bn.forward(y, training, true));
        if (bn != null && training) {
            scatterBuffer(bn.runningMean(), p -> p.bn().runningMean());
            scatterBuffer(bn.runningVar(), p -> p.bn().runningVar());
        }
        long t = System.nanoTime();
        int n = x.dim(0), h = x.dim(2), w = x.dim(3), first = widths[0];
        for (int i = 1; i < blocks.length; i++) {
            outputs[i] = Tensor.reuse(outputs[i], n, widths[i], h, w);
            copyChannels(z, first, outputs[i], 0, widths[i]);
            first += widths[i];
        }
        if (Profiler.enabled()) {
            Profiler.add("concat fwd", System.nanoTime() - t, 0);
        }
        return z;
    }

    /** Block i's output (i ≥ 1) from the last forward. */
    Tensor output(int i) {
        return outputs[i];
    }

    /**
     * Backward. Block 0's output gradient is channels {@code [from, from + its width)} of {@code gradOut}; the later
     * blocks' are {@code gradOuts}, in order. Returns the input gradient (this object's buffer).
     */
    Tensor backward(Tensor gradOut, int from, Tensor... gradOuts) {
        long t = System.nanoTime();
        gradStacked = Tensor.reuse(gradStacked, gradOut.dim(0), rows, gradOut.dim(2), gradOut.dim(3));
        copyChannels(gradOut, from, gradStacked, 0, widths[0]);
        int first = widths[0];
        for (int i = 1; i < blocks.length; i++) {
            copyChannels(gradOuts[i - 1], 0, gradStacked, first, widths[i]);
            first += widths[i];
        }
        if (Profiler.enabled()) {
            Profiler.add("concat bwd", System.nanoTime() - t, 0);
        }
        // the stack's gradients are only a relay: cleared, filled by this backward, added to the blocks'
        conv.weight().zeroGrad();
        if (conv.bias() != null) {
            conv.bias().zeroGrad();
        }
        if (bn != null) {
            bn.weight().zeroGrad();
            bn.bias().zeroGrad();
        }
        Tensor g = gradStacked;
        Tensor gz = bn == null ? Profiler.backward(relu, g)
                : Profiler.timed("batchnorm+relu bwd", 0, () -> bn.backward(g, true));
        Tensor dx = Profiler.backward(conv, gz);
        addGradients(conv.weight(), p -> p.conv().weight());
        if (bn == null) {
            addGradients(conv.bias(), p -> p.conv().bias());
        } else {
            addGradients(bn.weight(), p -> p.bn().weight());
            addGradients(bn.bias(), p -> p.bn().bias());
        }
        return dx;
    }

    // ------------------------------------------------------------ moving parameters between the blocks and the stack

    private void gather(java.util.function.Function<ConvBlock, Param> of, Param stacked) {
        gatherBuffer(b -> of.apply(b).value(), stacked.value());
    }

    private void gatherBuffer(java.util.function.Function<ConvBlock, Tensor> of, Tensor stacked) {
        float[] dst = stacked.data();
        int at = 0;
        for (ConvBlock b : blocks) {
            float[] src = of.apply(b).data();
            System.arraycopy(src, 0, dst, at, src.length);
            at += src.length;
        }
        stacked.markChanged();
    }

    private void scatterBuffer(Tensor stacked, java.util.function.Function<ConvBlock, Tensor> of) {
        float[] src = stacked.data();
        int at = 0;
        for (ConvBlock b : blocks) {
            Tensor t = of.apply(b);
            System.arraycopy(src, at, t.data(), 0, t.size());
            t.markChanged();
            at += t.size();
        }
    }

    private void addGradients(Param stacked, java.util.function.Function<ConvBlock, Param> of) {
        float[] src = stacked.grad().data();
        int at = 0;
        for (ConvBlock b : blocks) {
            float[] dst = of.apply(b).grad().data();
            for (int i = 0; i < dst.length; i++) {
                dst[i] += src[at + i];
            }
            at += dst.length;
        }
    }

    /** Channels [from, from + count) of each image of src into channels [to, to + count) of dst. */
    private static void copyChannels(Tensor src, int from, Tensor dst, int to, int count) {
        int n = src.dim(0), hw = src.dim(2) * src.dim(3), cs = src.dim(1), cd = dst.dim(1);
        for (int img = 0; img < n; img++) {
            System.arraycopy(src.data(), (img * cs + from) * hw, dst.data(), (img * cd + to) * hw, count * hw);
        }
    }
}
