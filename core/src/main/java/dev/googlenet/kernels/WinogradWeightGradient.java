package dev.googlenet.kernels;

/**
 * The weight gradient of a 3×3, stride 1, padding 1 convolution. With the vector kernels by Winograd's
 * F(m×m, 3×3), m = 2 or 4, the forward's algorithm transposed ({@link VectorWinogradWeightGradient}: 2.25–4× fewer
 * multiply-adds than im2col + GEMM, and no unfolded input); with the scalar kernels by its definition, in double
 * ({@link #reference}). One instance per layer: it keeps its buffers between calls.
 */
public final class WinogradWeightGradient {
    /** The vector implementation and its buffers, made on first use (never with the scalar kernels). */
    private VectorWinogradWeightGradient fast;

    /**
     * {@code dw[co][ci][3][3] += dL/dw} for input {@code x} [n][cin][h][w] and output gradient {@code dy}
     * [n][cout][h][w], by F(m×m, 3×3), m = 2 or 4 (with the scalar kernels: directly, {@code gemm} and m unused).
     * Deterministic for a given thread count.
     */
    public void accumulate(Parallel pool, Gemm gemm, float[] x, float[] dy, int n, int cin, int cout, int h, int w,
                           int m, float[] dw) {
        if (m != 2 && m != 4) {
            throw new IllegalArgumentException("WinogradWeightGradient: tile " + m + " (2 or 4)");
        }
        if (x.length < (long) n * cin * h * w || dy.length < (long) n * cout * h * w
                || dw.length < (long) cout * cin * 9) {
            throw new IllegalArgumentException("WinogradWeightGradient: arrays too small for " + n + "x" + cin
                    + "x" + h + "x" + w + " -> " + cout);
        }
        if (Kernels.VECTOR) {
            if (fast == null) {
                fast = new VectorWinogradWeightGradient();
            }
            fast.accumulate(pool, gemm, x, dy, n, cin, cout, h, w, m, dw);
        } else {
            // output channels are independent: any split over threads gives the same sums
            pool.parallelFor(cout, co -> referenceChannel(x, dy, n, cin, cout, h, w, co, dw));
        }
    }

    /**
     * The plain definition: {@code dw[co][ci][ky][kx] += Σ x[img][ci][y+ky−1][x+kx−1]·dy[img][co][y][x]}, in
     * double.
     */
    public static void reference(float[] x, float[] dy, int n, int cin, int cout, int h, int w, float[] dw) {
        for (int co = 0; co < cout; co++) {
            referenceChannel(x, dy, n, cin, cout, h, w, co, dw);
        }
    }

    /** {@link #reference} for output channel {@code co}. */
    private static void referenceChannel(float[] x, float[] dy, int n, int cin, int cout, int h, int w, int co,
                                         float[] dw) {
        for (int ci = 0; ci < cin; ci++) {
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    double sum = 0;
                    for (int img = 0; img < n; img++) {
                        for (int y = 0; y < h; y++) {
                            int iy = y + ky - 1;
                            if (iy < 0 || iy >= h) {
                                continue;
                            }
                            for (int xx = 0; xx < w; xx++) {
                                int ix = xx + kx - 1;
                                if (ix >= 0 && ix < w) {
                                    sum += (double) x[((img * cin + ci) * h + iy) * w + ix]
                                            * dy[((img * cout + co) * h + y) * w + xx];
                                }
                            }
                        }
                    }
                    dw[((co * cin + ci) * 3 + ky) * 3 + kx] += (float) sum;
                }
            }
        }
    }
}
