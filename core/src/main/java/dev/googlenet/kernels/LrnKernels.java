package dev.googlenet.kernels;

/**
 * Local response normalization across channels on NCHW data ({@code nn.Lrn} has the formulas). The fast kernels
 * ({@link VectorLrn}) split (image, channel range) over the engine's threads and vectorize over the H·W positions;
 * each window sum is added channel by channel in the same order as the reference, so the sums agree exactly. The
 * power is the one place they differ: for GoogLeNet's β = 0.75, {@code s^0.75 = √s·√√s} (correctly rounded square
 * roots, a few ulp from {@code Math.pow}); other β use the Vector API's POW. The references are also what runs with
 * the scalar kernels.
 */
public final class LrnKernels {
    private LrnKernels() {
    }

    /** The window's geometry and constants. */
    public record Params(int size, int before, int after, float alpha, float beta, float k) {
    }

    /**
     * b = a / scale^β with scale = k + α/size·Σ_window a², for {@code batch} images of {@code channels} planes of
     * {@code hw} floats. {@code scale} receives the scales (backward needs them).
     */
    public static void forward(float[] a, float[] scale, float[] b, int batch, int channels, int hw, Params p) {
        if (Kernels.VECTOR) {
            VectorLrn.forward(a, scale, b, batch, channels, hw, p);
        } else {
            forwardReference(a, scale, b, batch, channels, hw, p);
        }
    }

    /**
     * da = g / scale^β − (2αβ/size)·a·Σ_{c: j ∈ window(c)} g_c·b_c/scale_c, with b recomputed from a and scale.
     * {@code t} is scratch of the same size as {@code a}.
     */
    public static void backward(float[] a, float[] scale, float[] g, float[] da, float[] t, int batch, int channels,
                                int hw, Params p) {
        if (Kernels.VECTOR) {
            VectorLrn.backward(a, scale, g, da, t, batch, channels, hw, p);
        } else {
            backwardReference(a, scale, g, da, batch, channels, hw, p);
        }
    }

    /** The plain definition, one element at a time. */
    public static void forwardReference(float[] a, float[] scale, float[] b, int batch, int channels, int hw,
                                        Params p) {
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                int out = (n * channels + c) * hw;
                int lo = Math.max(0, c - p.before()), hi = Math.min(channels - 1, c + p.after());
                for (int i = 0; i < hw; i++) {
                    float s = 0f;
                    for (int cc = lo; cc <= hi; cc++) { // sum of squares over the window
                        float v = a[(n * channels + cc) * hw + i];
                        s += v * v;
                    }
                    // PyTorch's order: average of squares (divisor size, zero padding), times alpha, plus k
                    s = s / p.size() * p.alpha() + p.k();
                    scale[out + i] = s;
                    b[out + i] = a[out + i] / (float) Math.pow(s, p.beta());
                }
            }
        }
    }

    /** The plain definition of backward. */
    public static void backwardReference(float[] a, float[] scale, float[] g, float[] da, int batch, int channels,
                                         int hw, Params p) {
        float cross = 2f * p.alpha() * p.beta() / p.size();
        float[] t = new float[a.length];
        for (int i = 0; i < a.length && i < batch * channels * hw; i++) {
            float den = (float) Math.pow(scale[i], p.beta());
            t[i] = g[i] * (a[i] / den) / scale[i];
            da[i] = g[i] / den;
        }
        for (int n = 0; n < batch; n++) {
            for (int j = 0; j < channels; j++) {
                int lo = Math.max(0, j - p.after()), hi = Math.min(channels - 1, j + p.before());
                for (int i = 0; i < hw; i++) {
                    float sum = 0f;
                    for (int c = lo; c <= hi; c++) {
                        sum += t[(n * channels + c) * hw + i];
                    }
                    int at = (n * channels + j) * hw + i;
                    da[at] -= cross * a[at] * sum;
                }
            }
        }
    }
}
