package dev.googlenet.nn;

import dev.googlenet.kernels.Elementwise;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Concatenation along channels ({@code torch.cat(parts, 1)}) of NCHW tensors with the same batch and map size, and
 * its backward: each part's slice of the output gradient. Keeps its output as a buffer, reused while shapes stay
 * the same (valid until the next forward).
 */
public final class Concat {
    private Tensor output;
    private int[] widths = new int[0];

    /** [N, ΣCᵢ, H, W] from parts [N, Cᵢ, H, W]. */
    public Tensor forward(Tensor... parts) {
        int n = parts[0].dim(0), h = parts[0].dim(2), w = parts[0].dim(3), hw = h * w, total = 0;
        if (widths.length != parts.length) {
            widths = new int[parts.length];
        }
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            if (p.rank() != 4 || p.dim(0) != n || p.dim(2) != h || p.dim(3) != w) {
                throw new IllegalArgumentException("Concat: part " + i + " " + Shape.toString(p.shape())
                        + " does not match part 0 " + Shape.toString(parts[0].shape()));
            }
            widths[i] = p.dim(1);
            total += widths[i];
        }
        output = Tensor.reuse(output, n, total, h, w);
        int first = 0;
        for (Tensor p : parts) {
            copyChannels(p, 0, output, first, p.dim(1));
            first += p.dim(1);
        }
        return output;
    }

    /**
     * The gradient of part {@code i} of the last forward: its channels of {@code gradOut}, in a buffer shared by the
     * thread ({@link GradientScratch}) and valid until the next part is taken. Taken one part at a time, each
     * consumed before the next, a concatenation never holds all its parts' gradients at once.
     */
    public Tensor backwardPart(Tensor gradOut, int i) {
        Nchw.requireGrad(gradOut, output == null ? null : output.shape(), "Concat");
        int first = 0;
        for (int j = 0; j < i; j++) {
            first += widths[j];
        }
        Tensor part = GradientScratch.take(GradientScratch.Kind.CONCAT_PART,
                new int[] {gradOut.dim(0), widths[i], gradOut.dim(2), gradOut.dim(3)});
        copyChannels(gradOut, first, part, 0, widths[i]);
        return part;
    }

    /**
     * Adds {@code grad} into {@code sum}, or copies it there when {@code first} (reusing {@code sum} when it has the
     * shape); returns the sum. For an input that several layers read (Inception's branches all read its input),
     * whose gradient is the sum of theirs, added up as each arrives.
     */
    public static Tensor accumulate(Tensor sum, Tensor grad, boolean first) {
        Tensor into = first ? Tensor.reuse(sum, grad.shape()) : sum;
        if (!into.hasShape(grad.shape())) {
            throw new IllegalArgumentException("gradients to add have shapes " + Shape.toString(into.shape())
                    + " and " + Shape.toString(grad.shape()));
        }
        if (first) {
            System.arraycopy(grad.data(), 0, into.data(), 0, into.size());
        } else {
            Elementwise.addInPlace(into.data(), grad.data(), into.size());
        }
        return into;
    }

    /** Channels [from, from + count) of each image of src into channels [to, to + count) of dst. */
    static void copyChannels(Tensor src, int from, Tensor dst, int to, int count) {
        int n = src.dim(0), hw = src.dim(2) * src.dim(3), cs = src.dim(1), cd = dst.dim(1);
        for (int img = 0; img < n; img++) {
            System.arraycopy(src.data(), (img * cs + from) * hw, dst.data(), (img * cd + to) * hw, count * hw);
        }
    }
}
