package dev.googlenet.nn;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * 2-D average pooling over [N, C, H, W] with a square window, as PyTorch's {@code nn.AvgPool2d} (no
 * {@code divisor_override}). The sum always runs over the input elements inside the window; only the divisor
 * depends on {@code countIncludePad}:
 * <ul>
 *   <li>{@code false}: the number of input elements in the window;</li>
 *   <li>{@code true}: the window's area after clipping to the padded input (so zero padding counts, but the part
 *       of a ceil-mode window hanging past the padding does not).</li>
 * </ul>
 * PyTorch also insists on {@code padding <= kernel / 2}; this layer accepts any {@code padding < kernel} and gives
 * PyTorch's results wherever PyTorch accepts the arguments.
 */
public final class AvgPool2d implements Layer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    private int[] inputShape;
    private int[] outputShape;
    private Tensor output;     // buffers reused between steps
    private Tensor gradInput;

    public AvgPool2d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        Nchw.requireWindow(kernel, stride, padding, "AvgPool2d");
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    /** No padding, floor mode (then both divisor rules agree). */
    public AvgPool2d(int kernel, int stride) {
        this(kernel, stride, 0, false, true);
    }

    @Override
    public int[] outputShape(int[] in) {
        Nchw.require(in, "AvgPool2d");
        try {
            return new int[] {in[0], in[1], Shape.pooledSize(in[2], kernel, stride, padding, ceilMode),
                    Shape.pooledSize(in[3], kernel, stride, padding, ceilMode)};
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("AvgPool2d: input " + Shape.toString(in) + ": " + e.getMessage(), e);
        }
    }

    /** The divisor of output position (i, j), PyTorch's rule; forward and backward must agree on it. */
    private int divisor(int i, int j, int h, int w) {
        int h0 = i * stride - padding;
        int w0 = j * stride - padding;
        int h1 = Math.min(h0 + kernel, h + padding); // clip to the padded input first: that area is pool_size
        int w1 = Math.min(w0 + kernel, w + padding);
        if (countIncludePad) {
            return (h1 - h0) * (w1 - w0);
        }
        return (Math.min(h1, h) - Math.max(h0, 0)) * (Math.min(w1, w) - Math.max(w0, 0));
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int[] outShape = outputShape(x.shape());
        int planes = x.dim(0) * x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int oh = outShape[2];
        int ow = outShape[3];
        output = Tensor.reuse(output, outShape);
        Tensor y = output;
        float[] in = x.data();
        float[] out = y.data();
        for (int p = 0; p < planes; p++) {
            int inBase = p * h * w;
            int outBase = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                int h0 = Math.max(i * stride - padding, 0);
                int h1 = Math.min(i * stride - padding + kernel, h);
                for (int j = 0; j < ow; j++) {
                    int w0 = Math.max(j * stride - padding, 0);
                    int w1 = Math.min(j * stride - padding + kernel, w);
                    out[outBase + i * ow + j] = Nchw.windowSum(in, inBase, w, h0, h1, w0, w1) / divisor(i, j, h, w);
                }
            }
        }
        inputShape = x.shape();
        outputShape = outShape;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, outputShape, "AvgPool2d");
        int planes = inputShape[0] * inputShape[1];
        int h = inputShape[2];
        int w = inputShape[3];
        int oh = outputShape[2];
        int ow = outputShape[3];
        gradInput = Tensor.reuse(gradInput, inputShape);
        Tensor dx = gradInput;
        float[] d = dx.data();
        java.util.Arrays.fill(d, 0f);
        float[] g = gradOut.data();
        for (int p = 0; p < planes; p++) {
            int inBase = p * h * w;
            int outBase = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                int h0 = Math.max(i * stride - padding, 0);
                int h1 = Math.min(i * stride - padding + kernel, h);
                for (int j = 0; j < ow; j++) {
                    int w0 = Math.max(j * stride - padding, 0);
                    int w1 = Math.min(j * stride - padding + kernel, w);
                    // each input in the window got weight 1/divisor in the output
                    Nchw.spread(d, inBase, w, h0, h1, w0, w1, g[outBase + i * ow + j] / divisor(i, j, h, w));
                }
            }
        }
        return dx;
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ", ceil_mode="
                + ceilMode + ", count_include_pad=" + countIncludePad + ")";
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    public boolean countIncludePad() {
        return countIncludePad;
    }
}
