package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

/**
 * Average pooling to a fixed output size, as PyTorch's {@code nn.AdaptiveAvgPool2d}. Output row {@code i} averages
 * input rows {@code floor(i*H/outH)} to {@code ceil((i+1)*H/outH)} (exclusive), and likewise for columns, so when
 * {@code outH} does not divide {@code H} neighbouring bins overlap (torchvision's aux heads: 14 -> 4 gives bins of
 * 4 rows starting at 0, 3, 7, 10). {@link #global()} is the 1x1 case, a mean over each feature map.
 */
public final class AdaptiveAvgPool2d implements Layer {
    private final int outH;
    private final int outW;

    private int[] inputShape;
    private int[] outputShape;
    private Tensor output;     // buffers reused between steps
    private Tensor gradInput;

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d: output size must be positive, got " + outH + "x" + outW);
        }
        this.outH = outH;
        this.outW = outW;
    }

    public int outH() {
        return outH;
    }

    public int outW() {
        return outW;
    }

    /** Global average pooling: [N, C, H, W] -> [N, C, 1, 1]. */
    public static AdaptiveAvgPool2d global() {
        return new AdaptiveAvgPool2d(1, 1);
    }

    /** First input index of bin {@code i} when {@code in} elements are split into {@code out} bins. */
    static int binStart(int i, int in, int out) {
        return Math.floorDiv(i * in, out);
    }

    /** One past the last input index of bin {@code i}. */
    static int binEnd(int i, int in, int out) {
        return Math.ceilDiv((i + 1) * in, out);
    }

    private boolean isGlobal() {
        return outH == 1 && outW == 1;
    }

    @Override
    public int[] outputShape(int[] in) {
        Nchw.require(in, "AdaptiveAvgPool2d");
        return new int[] {in[0], in[1], outH, outW};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int[] outShape = outputShape(x.shape());
        int planes = x.dim(0) * x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        output = Tensor.reuse(output, outShape);
        Tensor y = output;
        float[] in = x.data();
        float[] out = y.data();
        for (int p = 0; p < planes; p++) {
            int inBase = p * h * w;
            if (isGlobal()) {
                // PyTorch computes the 1x1 case as mean(): an accurate (cascaded) sum divided by H*W; a double sum
                // rounded to float is the closest we can get to it
                double sum = 0;
                for (int k = 0; k < h * w; k++) {
                    sum += in[inBase + k];
                }
                out[p] = (float) sum / (h * w);
                continue;
            }
            for (int i = 0; i < outH; i++) {
                int h0 = binStart(i, h, outH);
                int h1 = binEnd(i, h, outH);
                for (int j = 0; j < outW; j++) {
                    int w0 = binStart(j, w, outW);
                    int w1 = binEnd(j, w, outW);
                    // PyTorch's order of division
                    out[(p * outH + i) * outW + j] = Nchw.windowSum(in, inBase, w, h0, h1, w0, w1) / (h1 - h0)
                            / (w1 - w0);
                }
            }
        }
        inputShape = x.shape();
        outputShape = outShape;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, outputShape, "AdaptiveAvgPool2d");
        int planes = inputShape[0] * inputShape[1];
        int h = inputShape[2];
        int w = inputShape[3];
        gradInput = Tensor.reuse(gradInput, inputShape);
        Tensor dx = gradInput;
        float[] d = dx.data();
        java.util.Arrays.fill(d, 0f);
        float[] g = gradOut.data();
        for (int p = 0; p < planes; p++) {
            int inBase = p * h * w;
            if (isGlobal()) {
                float share = g[p] / (h * w);
                for (int k = 0; k < h * w; k++) {
                    d[inBase + k] = share;
                }
                continue;
            }
            for (int i = 0; i < outH; i++) {
                int h0 = binStart(i, h, outH);
                int h1 = binEnd(i, h, outH);
                for (int j = 0; j < outW; j++) {
                    int w0 = binStart(j, w, outW);
                    int w1 = binEnd(j, w, outW);
                    // bins may overlap: spread accumulates
                    Nchw.spread(d, inBase, w, h0, h1, w0, w1, g[(p * outH + i) * outW + j] / (h1 - h0) / (w1 - w0));
                }
            }
        }
        return dx;
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(" + outH + ", " + outW + ")";
    }
}
