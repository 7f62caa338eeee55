package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

import java.util.Arrays;

/**
 * Local response normalization across channels (PyTorch {@code nn.LocalResponseNorm}, ONNX {@code LRN}, Caffe
 * {@code LRN} with ACROSS_CHANNELS):
 * <pre>
 *   scale_c = k + alpha/size * sum_{c' in window(c)} a_{c'}^2        b_c = a_c / scale_c^beta
 * </pre>
 * where window(c) runs from {@code c - floor((size-1)/2)} to {@code c + ceil((size-1)/2)}, clipped to the existing
 * channels (missing channels count as zero, the divisor stays {@code size}). For odd sizes (GoogLeNet: 5) all three
 * frameworks agree. For even sizes this is ONNX's window; PyTorch's is one channel earlier
 * ({@code c - size/2 .. c + size/2 - 1}) and Caffe rejects even sizes.
 *
 * <p>Backward, with {@code W^-1(j)} the channels whose window contains {@code j}:
 * <pre>
 *   da_j = g_j / scale_j^beta - (2 alpha beta / size) a_j * sum_{c in W^-1(j)} g_c b_c / scale_c
 * </pre>
 */
public final class Lrn implements Layer {
    private final int size;
    private final float alpha;
    private final float beta;
    private final float k;
    private final int before; // channels below c in the window
    private final int after;  // channels above c in the window

    private Tensor input;
    private float[] scale; // k + alpha/size * window sum of squares, per input element

    public Lrn(int size, double alpha, double beta, double k) {
        if (size < 1) {
            throw new IllegalArgumentException("Lrn: size must be positive, got " + size);
        }
        this.size = size;
        this.alpha = (float) alpha;
        this.beta = (float) beta;
        this.k = (float) k;
        this.before = (size - 1) / 2;
        this.after = size / 2; // = ceil((size-1)/2)
    }

    /** The paper's / Caffe's setting: size 5, alpha 1e-4, beta 0.75, k 1. */
    public static Lrn googlenet() {
        return new Lrn(5, 1e-4, 0.75, 1.0);
    }

    @Override
    public int[] outputShape(int[] in) {
        Nchw.require(in, "Lrn");
        return in;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        outputShape(x.shape());
        int batch = x.dim(0);
        int channels = x.dim(1);
        int hw = x.dim(2) * x.dim(3);
        float[] a = x.data();
        float[] s = new float[a.length];
        Tensor y = Tensor.zerosLike(x);
        float[] b = y.data();
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int out = (n * channels + c) * hw;
                int lo = Math.max(0, c - before);
                int hi = Math.min(channels - 1, c + after);
                for (int cc = lo; cc <= hi; cc++) { // s[c] = sum of squares over the window
                    int src = (n * channels + cc) * hw;
                    for (int p = 0; p < hw; p++) {
                        s[out + p] += a[src + p] * a[src + p];
                    }
                }
                for (int p = 0; p < hw; p++) {
                    // PyTorch's order: average of squares (divisor size, zero padding), times alpha, plus k
                    s[out + p] = s[out + p] / size * alpha + k;
                    b[out + p] = a[out + p] / (float) Math.pow(s[out + p], beta);
                }
            }
        }
        input = x;
        scale = s;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        Nchw.requireGrad(gradOut, input == null ? null : input.shape(), "Lrn");
        int batch = input.dim(0);
        int channels = input.dim(1);
        int hw = input.dim(2) * input.dim(3);
        float[] a = input.data();
        float[] s = scale;
        float[] g = gradOut.data();
        Tensor dx = Tensor.zerosLike(input);
        float[] d = dx.data();
        float[] t = new float[channels * hw]; // g_c * b_c / scale_c for one image
        float[] sum = new float[hw];          // sum of t over the channels whose window holds channel j
        float cross = 2f * alpha * beta / size;
        for (int n = 0; n < batch; n++) {
            int base = n * channels * hw;
            for (int i = 0; i < channels * hw; i++) {
                float den = (float) Math.pow(s[base + i], beta);
                t[i] = g[base + i] * (a[base + i] / den) / s[base + i];
                d[base + i] = g[base + i] / den; // the direct term
            }
            for (int j = 0; j < channels; j++) {
                // channel j is in window(c) exactly for c in [j - after, j + before]
                int lo = Math.max(0, j - after);
                int hi = Math.min(channels - 1, j + before);
                int at = base + j * hw;
                Arrays.fill(sum, 0f);
                for (int c = lo; c <= hi; c++) {
                    for (int p = 0; p < hw; p++) {
                        sum[p] += t[c * hw + p];
                    }
                }
                for (int p = 0; p < hw; p++) {
                    d[at + p] -= cross * a[at + p] * sum[p];
                }
            }
        }
        return dx;
    }

    @Override
    public String toString() {
        return "Lrn(size=" + size + ", alpha=" + alpha + ", beta=" + beta + ", k=" + k + ")";
    }

    public int size() {
        return size;
    }

    public float alpha() {
        return alpha;
    }

    public float beta() {
        return beta;
    }

    public float k() {
        return k;
    }
}
