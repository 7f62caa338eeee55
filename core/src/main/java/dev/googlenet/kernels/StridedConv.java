package dev.googlenet.kernels;

/**
 * Forward of a convolution with a stride (the stem's 7×7/2) as a GEMM with no im2col matrix. The zero-padded input
 * is first split by row and column phase ({@link #phases}): plane (c, py, px) holds rows r·s + py and columns
 * q·s + px, {@code qw} columns wide. Then the pixels of one output row, under unfolding row (c, ky, kx), are one
 * contiguous run of plane (c, ky mod s, kx mod s), starting at a per-row offset (a table) plus oy·qw + ox. Each
 * 64-column panel of B (GEMM column j = output pixel oy·ow + ox) is copied from those runs, one or two output rows
 * per panel, and multiplied by {@link VectorGemm}'s micro-kernel; as GEMM columns are the output's own, each result
 * tile goes to the output as whole rows of vectors, with bias and ReLU applied on the way ({@link VectorStridedConv}).
 * The scalar kernels compute the same sums from the phase planes with plain loops ({@link #rowsReference}).
 *
 * <p>Why: at 224×224 the stem's unfolding is 147 × 12544 floats (7.4 MB) per image, written and read back through
 * memory; with it the stem ran at about half of the FMA peak. The phase planes are 0.6 MB.
 *
 * <p>Each output is summed over (c, ky, kx) in the same order whatever the threads and panels: results are
 * deterministic.
 */
public final class StridedConv {
    private final int channels;
    private final int h;
    private final int w;
    private final int stride;
    private final int pad;
    private final int oh;
    private final int ow;
    /** Width of a phase plane: ow + (kw − 1) / s (an output row and the kernel's reach to its right). */
    private final int qw;
    /** Rows of a phase plane: the output's and the kernel's reach below them. */
    private final int rr;
    /** Per unfolding row p = (c, ky, kx): where its run for output pixel (0, 0) starts; (oy, ox) adds oy·qw + ox. */
    private final int[] rowBase;

    public StridedConv(int channels, int h, int w, int kh, int kw, int stride, int pad) {
        if (stride < 1 || pad < 0 || kh < 1 || kw < 1) {
            throw new IllegalArgumentException("bad convolution geometry");
        }
        this.channels = channels;
        this.h = h;
        this.w = w;
        this.stride = stride;
        this.pad = pad;
        this.oh = (h + 2 * pad - kh) / stride + 1;
        this.ow = (w + 2 * pad - kw) / stride + 1;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("kernel larger than the padded input");
        }
        this.qw = ow + (kw - 1) / stride;
        this.rr = oh + (kh - 1) / stride;
        this.rowBase = new int[channels * kh * kw];
        for (int c = 0, p = 0; c < channels; c++) {
            for (int ky = 0; ky < kh; ky++) {
                for (int kx = 0; kx < kw; kx++, p++) {
                    // padded input (oy·s + ky, ox·s + kx) = plane (c, ky mod s, kx mod s), row oy + ky/s, column ox + kx/s
                    int plane = (c * stride + ky % stride) * stride + kx % stride;
                    rowBase[p] = (plane * rr + ky / stride) * qw + kx / stride;
                }
            }
        }
    }

    /** Floats of the scratch buffer {@link #rows} needs: a result tile and one packed panel of B (none if scalar). */
    public int scratchSize() {
        return Kernels.VECTOR ? VectorStridedConv.scratchSize(rowBase.length) : 0;
    }

    public boolean matches(int channels, int h, int w) {
        return this.channels == channels && this.h == h && this.w == w;
    }

    public int outH() {
        return oh;
    }

    public int outW() {
        return ow;
    }

    /** Floats of one image's phase planes. */
    public int phaseSize() {
        return channels * stride * stride * rr * qw;
    }

    /**
     * {@code planes[(((c·s + py)·s + px)·rr + r)·qw + q]} = the input zero-padded by {@code pad}, at row r·s + py and
     * column q·s + px (zero past the padded input).
     */
    public void phases(float[] x, int xOff, float[] planes) {
        for (int i = 0; i < phaseCount(); i++) {
            phase(x, xOff, planes, i);
        }
    }

    /** How many phase planes an image has: channels·s². */
    public int phaseCount() {
        return channels * stride * stride;
    }

    /**
     * Phase plane {@code i} = (c·s + py)·s + px of {@link #phases}: the planes are independent, so threads can
     * make them side by side (one image alone: otherwise its planes would be made on one core while the other
     * waits).
     */
    public void phase(float[] x, int xOff, float[] planes, int i) {
        int c = i / (stride * stride), py = i / stride % stride, px = i % stride;
        int plane = i * rr * qw;
        // columns q whose input column q·s + px − pad lies inside the image: [q0, q1)
        int q0 = Math.min(qw, Math.max(0, Math.ceilDiv(pad - px, stride)));
        int q1 = Math.max(q0, Math.min(qw, Math.ceilDiv(w + pad - px, stride)));
        for (int r = 0; r < rr; r++) {
            int iy = r * stride + py - pad, dst = plane + r * qw;
            if (iy < 0 || iy >= h) {
                java.util.Arrays.fill(planes, dst, dst + qw, 0f);
                continue;
            }
            java.util.Arrays.fill(planes, dst, dst + q0, 0f);
            int from = xOff + (c * h + iy) * w + q0 * stride + px - pad;
            StridedCopy.pick(x, from, stride, planes, dst + q0, q1 - q0);
            java.util.Arrays.fill(planes, dst + q1, dst + qw, 0f);
        }
    }

    /**
     * Output rows [oy0, oy1) of one image from its phase planes: {@code y[yOff + (o·oh + oy)·ow + ox]} for the
     * {@code m} filters {@code w[o·K ...]} (K = channels·kh·kw), plus {@code bias[o]} (may be null), then clamped at
     * zero if {@code relu}. The epilogue is applied to each tile while it is in L1: a separate pass over the stem's
     * output (3.2 MB per image at 224×224) would read it back from memory.
     * {@code scratch}: {@link #scratchSize} floats of the calling thread's.
     */
    public void rows(float[] planes, float[] wt, int m, float[] bias, boolean relu, float[] y, int yOff, int oy0,
                     int oy1, float[] scratch) {
        rows(planes, wt, null, m, bias, relu, y, yOff, oy0, oy1, scratch);
    }

    /** {@link #rows(float[], float[], int, float[], boolean, float[], int, int, int, float[])}, {@code packed} null
     * or {@code wt} packed for the vector kernel (same results bit for bit). */
    public void rows(float[] planes, float[] wt, PackedFilters packed, int m, float[] bias, boolean relu, float[] y,
                     int yOff, int oy0, int oy1, float[] scratch) {
        if (Kernels.VECTOR) {
            VectorStridedConv.rows(rowBase, qw, oh, ow, planes, wt, packed == null ? null : packed.slivers(), m, bias,
                    relu, y, yOff, oy0, oy1, scratch);
        } else {
            rowsReference(planes, wt, m, bias, relu, y, yOff, oy0, oy1);
        }
    }

    /**
     * {@link #rows} with plain loops: each output the fused multiply-add of its K products in (c, ky, kx) order
     * from zero, as the vector micro-kernel sums them, then the bias and the floor.
     */
    void rowsReference(float[] planes, float[] wt, int m, float[] bias, boolean relu, float[] y, int yOff, int oy0,
                       int oy1) {
        int k = rowBase.length, ohw = oh * ow;
        for (int o = 0; o < m; o++) {
            float b = bias == null ? 0f : bias[o];
            for (int oy = oy0; oy < oy1; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int at = oy * qw + ox;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        s = Math.fma(wt[o * k + p], planes[rowBase[p] + at], s);
                    }
                    s += b;
                    y[yOff + o * ohw + oy * ow + ox] = relu ? Math.max(s, 0f) : s;
                }
            }
        }
    }

    /** The plain definition, for tests: one image, output [m, oh, ow] at y[yOff]. */
    public static void reference(float[] x, int xOff, int channels, int h, int w, float[] wt, int m, int kh, int kw,
                                 int stride, int pad, float[] y, int yOff) {
        int oh = (h + 2 * pad - kh) / stride + 1, ow = (w + 2 * pad - kw) / stride + 1;
        for (int o = 0; o < m; o++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    double s = 0;
                    for (int c = 0; c < channels; c++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                    s += (double) wt[((o * channels + c) * kh + ky) * kw + kx]
                                            * x[xOff + (c * h + iy) * w + ix];
                                }
                            }
                        }
                    }
                    y[yOff + (o * oh + oy) * ow + ox] = (float) s;
                }
            }
        }
    }
}
