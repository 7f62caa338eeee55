package dev.googlenet.kernels;

/**
 * Every s-th element of a row, packed: the split of an input row into column phases, before a strided convolution
 * or pooling. Stride 2 (every strided layer of GoogLeNet) picks one phase's lanes out of two loaded vectors
 * ({@link VectorStridedCopy}); a scalar loop spent 1–2 ns per element here, and Zen 4's vector gathers were slower
 * still.
 */
public final class StridedCopy {
    private StridedCopy() {
    }

    /** {@code dst[d + q] = src[from + q·stride]} for q in [0, n). */
    public static void pick(float[] src, int from, int stride, float[] dst, int d, int n) {
        if (Kernels.VECTOR) {
            VectorStridedCopy.pick(src, from, stride, dst, d, n);
        } else {
            pickReference(src, from, stride, dst, d, n);
        }
    }

    /** Reference for {@link #pick}. */
    public static void pickReference(float[] src, int from, int stride, float[] dst, int d, int n) {
        for (int q = 0; q < n; q++) {
            dst[d + q] = src[from + q * stride];
        }
    }
}
