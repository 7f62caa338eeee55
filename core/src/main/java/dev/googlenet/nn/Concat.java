package dev.googlenet.nn;

import dev.googlenet.kernels.Elementwise;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Concatenation along channels ({@code torch.cat(parts, 1)}) of NCHW tensors with the same batch and map size, and
 * its backward: each part's slice of the output gradient. Keeps its output and the gradient slices as buffers,
 * reused while shapes stay the same (valid until the next call).
 */
public final class Concat {
    private Tensor output;
    private Tensor[] gradParts = new Tensor[0];
    private int[] widths = new int[0];

    /** [N, ΣCᵢ, H, W] from parts [N, Cᵢ, H, W]. */
    public Tensor forward(Tensor... parts) {
        int n = parts[0].dim(0), h = parts[0].dim(2), w = parts[0].dim(3), hw = h * w, total = 0;
        if (widths.length != parts.length) {
            widths = new int[parts.length];
            gradParts = new Tensor[parts.length];
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

    /** The gradient of each part: its channels of {@code gradOut}, in the order of the last forward. */
    public Tensor[] backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, output == null ? null : output.shape(), "Concat");
        int n = gradOut.dim(0), h = gradOut.dim(2), w = gradOut.dim(3), first = 0;
        for (int i = 0; i < widths.length; i++) {
            gradParts[i] = Tensor.reuse(gradParts[i], n, widths[i], h, w);
            copyChannels(gradOut, first, gradParts[i], 0, widths[i]);
            first += widths[i];
        }
        return gradParts.clone();
    }

    /** Channels [from, from + count) of each image of src into channels [to, to + count) of dst. */
    static void copyChannels(Tensor src, int from, Tensor dst, int to, int count) {
        int n = src.dim(0), hw = src.dim(2) * src.dim(3), cs = src.dim(1), cd = dst.dim(1);
        for (int img = 0; img < n; img++) {
            System.arraycopy(src.data(), (img * cs + from) * hw, dst.data(), (img * cd + to) * hw, count * hw);
        }
    }

    /**
     * The gradient of an input that several layers read (Inception's branches all read its input): the sum of their
     * input gradients, into {@code into} (reused when it has the shape; a new tensor otherwise), which is returned.
     */
    public static Tensor sumGradients(Tensor into, Tensor... grads) {
        Tensor sum = Tensor.reuse(into, grads[0].shape());
        float[] d = sum.data();
        if (grads[0].data() != d) {
            System.arraycopy(grads[0].data(), 0, d, 0, sum.size());
        }
        for (int i = 1; i < grads.length; i++) {
            if (!grads[i].hasShape(sum.shape())) {
                throw new IllegalArgumentException("gradients to add have shapes " + Shape.toString(sum.shape())
                        + " and " + Shape.toString(grads[i].shape()));
            }
            Elementwise.addInPlace(d, grads[i].data(), sum.size());
        }
        return sum;
    }
}
