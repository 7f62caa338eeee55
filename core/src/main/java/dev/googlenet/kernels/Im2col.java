package dev.googlenet.kernels;

import java.util.Arrays;

/**
 * The data movement around a convolution's GEMMs, for one input geometry (channels, map size, kernel, stride,
 * padding). An image's unfolded matrix has one row per (channel, ky, kx) and one column per output pixel; several
 * images can sit side by side in one matrix (row stride {@code ld}, each image at its own column offset), so that
 * one GEMM covers them all.
 *
 * <p>The common case in Inception blocks, stride 1 with "same" padding (output map = input map; this includes
 * 1×1/1 without padding), takes a fast path: row (c, ky, kx) of the unfolding is the input plane shifted by a
 * constant offset, with the pixels that fall off the map zeroed. Both directions then move whole vectors of the
 * plane through precomputed per-(ky, kx) masks, whatever the map width (4, 7, 14: too short for row-wise vectors;
 * {@link VectorIm2col}, with the vector kernels):
 * <ul>
 *   <li>{@link #im2col}: a masked load of the shifted plane per vector of output pixels;</li>
 *   <li>{@link #col2im}: as a gather, each input pixel summing its kh·kw shifted column entries in registers, then
 *       stored once (no read-modify-write of the input gradient, and no clearing).</li>
 * </ul>
 * Other geometries (strides, asymmetric padding), and every geometry with the scalar kernels, copy row segments
 * with precomputed bounds; with a stride, from the input plane split by column phase first, so that the segments
 * are contiguous.
 */
public final class Im2col {
    private final int channels;
    private final int h;
    private final int w;
    private final int kh;
    private final int kw;
    private final int stride;
    private final int pad;
    private final int oh;
    private final int ow;
    /** The masked whole-plane path (stride 1, output map = input map, vector kernels), else null. */
    private final VectorIm2col same;

    public Im2col(int channels, int h, int w, int kh, int kw, int stride, int pad) {
        this(channels, h, w, kh, kw, stride, pad, Kernels.VECTOR);
    }

    /** With {@code vector} false: the scalar paths whatever the engine runs (for tests of both against each other). */
    Im2col(int channels, int h, int w, int kh, int kw, int stride, int pad, boolean vector) {
        this.channels = channels;
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.stride = stride;
        this.pad = pad;
        this.oh = (h + 2 * pad - kh) / stride + 1;
        this.ow = (w + 2 * pad - kw) / stride + 1;
        boolean sameMap = stride == 1 && oh == h && ow == w;
        this.same = sameMap && vector ? new VectorIm2col(h, w, kh, kw, pad) : null;
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

    /**
     * Unfolds channels [c0, c1) of the image at {@code x[xOff]} ([C, h, w]): row (c, ky, kx) goes to
     * {@code col[colOff + row·ld ...]}, oh·ow values. Every value of those rows is written.
     */
    public void im2col(float[] x, int xOff, float[] col, int colOff, int ld, int c0, int c1) {
        if (same != null) {
            same.im2col(x, xOff, col, colOff, ld, c0, c1);
        } else {
            im2colGeneral(x, xOff, col, colOff, ld, c0, c1);
        }
    }

    /**
     * The adjoint of {@link #im2col}: input gradient channels [c0, c1) of the image at {@code dx[dxOff]} become the
     * sums of their column entries. Overwrites those channels (no need to clear them first).
     */
    public void col2im(float[] dcol, int colOff, int ld, float[] dx, int dxOff, int c0, int c1) {
        if (same != null) {
            same.col2im(dcol, colOff, ld, dx, dxOff, c0, c1);
        } else {
            Arrays.fill(dx, dxOff + c0 * h * w, dxOff + c1 * h * w, 0f);
            col2imGeneral(dcol, colOff, ld, dx, dxOff, c0, c1);
        }
    }

    private void im2colGeneral(float[] x, int xOff, float[] col, int colOff, int ld, int c0, int c1) {
        int hw = h * w;
        // Strided: each input plane is first split by column phase (x mod stride), so that every row segment of the
        // unfolding is a contiguous run of one phase: copies instead of strided single loads (the stem's 7×7/2 at
        // 224×224 spent 50 of its 75 ms forward in those loads).
        int pw = Math.ceilDiv(w, stride);
        float[] phases = stride == 1 ? null : phaseBuffer(stride * h * pw);
        for (int c = c0; c < c1; c++) {
            int plane = xOff + c * hw;
            if (phases != null) {
                splitPhases(x, plane, phases, pw);
            }
            int row = c * kh * kw;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int dst = colOff + row * ld;
                    // output columns whose input column ox·stride − padding + j lies inside the image
                    int lo = Math.min(ow, Math.max(0, Math.ceilDiv(pad - j, stride)));
                    int hi = Math.max(lo, Math.min(ow, Math.ceilDiv(w + pad - j, stride)));
                    // input column ox·stride − pad + j = phase px, position ox + shift within it
                    int px = Math.floorMod(j - pad, stride);
                    int shift = (j - pad - px) / stride;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + i;
                        int rowDst = dst + oy * ow;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(col, rowDst, rowDst + ow, 0f);
                            continue;
                        }
                        Arrays.fill(col, rowDst, rowDst + lo, 0f);
                        if (phases == null) {
                            System.arraycopy(x, plane + iy * w - pad + j + lo, col, rowDst + lo, hi - lo);
                        } else {
                            System.arraycopy(phases, (px * h + iy) * pw + lo + shift, col, rowDst + lo, hi - lo);
                        }
                        Arrays.fill(col, rowDst + hi, rowDst + ow, 0f);
                    }
                }
            }
        }
    }

    /** {@code phases[(px·h + y)·pw + q] = x[plane + y·w + q·stride + px]}: one plane split by column phase. */
    private void splitPhases(float[] x, int plane, float[] phases, int pw) {
        for (int y = 0; y < h; y++) {
            int src = plane + y * w;
            for (int px = 0; px < stride; px++) {
                int dst = (px * h + y) * pw;
                for (int q = 0, xi = px; xi < w; q++, xi += stride) {
                    phases[dst + q] = x[src + xi];
                }
            }
        }
    }

    /** Per thread: one input plane split by column phase. */
    private static final ThreadLocal<float[][]> PHASES = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] phaseBuffer(int size) {
        float[][] holder = PHASES.get();
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        return holder[0];
    }

    /** Accumulates rows of {@code dcol} onto the (cleared) input gradient; bounds per kernel column, as im2col. */
    private void col2imGeneral(float[] dcol, int colOff, int ld, float[] dx, int dxOff, int c0, int c1) {
        int hw = h * w;
        for (int c = c0; c < c1; c++) {
            int plane = dxOff + c * hw;
            int row = c * kh * kw;
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++, row++) {
                    int src = colOff + row * ld;
                    int lo = Math.min(ow, Math.max(0, Math.ceilDiv(pad - j, stride)));
                    int hi = Math.max(lo, Math.min(ow, Math.ceilDiv(w + pad - j, stride)));
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * stride - pad + i;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int dstRow = plane + iy * w - pad + j;
                        int srcRow = src + oy * ow;
                        if (stride == 1 && Kernels.VECTOR) {
                            VectorIm2col.addRow(dcol, srcRow + lo, dx, dstRow + lo, hi - lo);
                        } else if (stride == 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[dstRow + ox] += dcol[srcRow + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                dx[dstRow + ox * stride] += dcol[srcRow + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Copies {@code rows} rows of {@code len} values, each adding {@code bias[biasOff + r]} (bias may be null) and
     * clamping at zero with {@code relu}: moves images' blocks into or out of a side-by-side GEMM matrix.
     */
    public static void copyRows(float[] src, int srcOff, int srcLd, float[] dst, int dstOff, int dstLd, int rows,
                                int len, float[] bias, int biasOff, boolean relu) {
        if (Kernels.VECTOR) {
            VectorIm2col.copyRows(src, srcOff, srcLd, dst, dstOff, dstLd, rows, len, bias, biasOff, relu);
        } else {
            copyRowsReference(src, srcOff, srcLd, dst, dstOff, dstLd, rows, len, bias, biasOff, relu);
        }
    }

    /** Reference for {@link #copyRows}. */
    public static void copyRowsReference(float[] src, int srcOff, int srcLd, float[] dst, int dstOff, int dstLd,
                                         int rows, int len, float[] bias, int biasOff, boolean relu) {
        for (int r = 0; r < rows; r++) {
            float b = bias == null ? 0f : bias[biasOff + r];
            for (int i = 0; i < len; i++) {
                float v = src[srcOff + r * srcLd + i] + b;
                dst[dstOff + r * dstLd + i] = relu ? Math.max(v, 0f) : v;
            }
        }
    }
}
