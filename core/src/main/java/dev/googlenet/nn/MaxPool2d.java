package dev.googlenet.nn;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * 2-D max pooling over [N, C, H, W] with a square window, as PyTorch's {@code nn.MaxPool2d}. Padding counts as
 * -infinity, so it is simply skipped; in ceil mode the last window may hang past the end and then covers only the
 * elements that exist. Forward remembers where each maximum came from; backward sends each output gradient there.
 *
 * <p>Ties go to the first maximum in row-major window order and a NaN wins (the last one, if several), exactly
 * as in PyTorch's CPU kernel.
 * PyTorch also insists on {@code padding <= kernel / 2}; this layer accepts any {@code padding < kernel} (ONNX
 * allows it) and gives PyTorch's results wherever PyTorch accepts the arguments.
 */
public final class MaxPool2d implements Layer {
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceilMode;

    private int[] inputShape;
    private int[] outputShape;
    private int[] argmax; // per output element: flat index of the input element that won

    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        Nchw.requireWindow(kernel, stride, padding, "MaxPool2d");
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    /** No padding, floor mode. */
    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0, false);
    }

    @Override
    public int[] outputShape(int[] in) {
        Nchw.require(in, "MaxPool2d");
        try {
            return new int[] {in[0], in[1], Shape.pooledSize(in[2], kernel, stride, padding, ceilMode),
                    Shape.pooledSize(in[3], kernel, stride, padding, ceilMode)};
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("MaxPool2d: input " + Shape.toString(in) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int[] outShape = outputShape(x.shape());
        int planes = x.dim(0) * x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        int oh = outShape[2];
        int ow = outShape[3];
        Tensor y = Tensor.zeros(outShape);
        float[] in = x.data();
        float[] out = y.data();
        int[] idx = new int[out.length];
        for (int p = 0; p < planes; p++) {
            int inBase = p * h * w;
            int outBase = p * oh * ow;
            for (int i = 0; i < oh; i++) {
                // clip the window to the input: padded positions are -inf and can never win
                int h0 = Math.max(i * stride - padding, 0);
                int h1 = Math.min(i * stride - padding + kernel, h);
                for (int j = 0; j < ow; j++) {
                    int w0 = Math.max(j * stride - padding, 0);
                    int w1 = Math.min(j * stride - padding + kernel, w);
                    int best = inBase + h0 * w + w0;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int r = h0; r < h1; r++) {
                        for (int c = w0; c < w1; c++) {
                            float v = in[inBase + r * w + c];
                            // strict '>' keeps the first of equal maxima; NaN always wins (PyTorch's CPU rule)
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                                best = inBase + r * w + c;
                            }
                        }
                    }
                    out[outBase + i * ow + j] = max;
                    idx[outBase + i * ow + j] = best;
                }
            }
        }
        inputShape = x.shape();
        outputShape = outShape;
        argmax = idx;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, outputShape, "MaxPool2d");
        Tensor dx = Tensor.zeros(inputShape);
        float[] d = dx.data();
        float[] g = gradOut.data();
        for (int o = 0; o < g.length; o++) {
            d[argmax[o]] += g[o]; // overlapping windows (stride < kernel) can pick the same input: accumulate
        }
        return dx;
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ", ceil_mode="
                + ceilMode + ")";
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
}
