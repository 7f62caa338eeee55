package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API parts of {@link Im2col} (loaded only when the vector kernels run): for one "same" geometry
 * (stride 1, output map = input map), the whole-plane masked paths; and the row helpers.
 */
final class VectorIm2col {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private final int h;
    private final int w;
    private final int kh;
    private final int kw;
    private final int pad;
    /** Per (ky, kx), per pixel q (padded to whole vectors): output pixel q reads an input pixel inside the map. */
    private final boolean[] readMask;
    /** Per (ky, kx), per input pixel q: q feeds an output pixel inside the map (col2im's gather). */
    private final boolean[] gatherMask;
    private final int maskLen;

    /** For stride 1 with output map = input map ({@code h + 2·pad − kh + 1 = h}, likewise w). */
    VectorIm2col(int h, int w, int kh, int kw, int pad) {
        this.h = h;
        this.w = w;
        this.kh = kh;
        this.kw = kw;
        this.pad = pad;
        int hw = h * w;
        maskLen = (hw + VL - 1) / VL * VL;
        readMask = new boolean[kh * kw * maskLen];
        gatherMask = new boolean[kh * kw * maskLen];
        for (int i = 0; i < kh; i++) {
            for (int j = 0; j < kw; j++) {
                int base = (i * kw + j) * maskLen;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        readMask[base + y * w + x] = inside(y + i - pad, h) && inside(x + j - pad, w);
                        gatherMask[base + y * w + x] = inside(y - i + pad, h) && inside(x - j + pad, w);
                    }
                }
            }
        }
    }

    private static boolean inside(int v, int size) {
        return v >= 0 && v < size;
    }

    /** {@link Im2col#im2col}: a masked load of the shifted plane per vector of output pixels. */
    void im2col(float[] x, int xOff, float[] col, int colOff, int ld, int c0, int c1) {
        int hw = h * w, kk = kh * kw, whole = hw / VL * VL;
        for (int ij = 0; ij < kk; ij++) {
            int shift = (ij / kw - pad) * w + ij % kw - pad;
            // masks depend on (ky, kx) and the pixel block only: loaded once, used for every channel
            for (int q = 0; q < whole; q += VL) {
                VectorMask<Float> m = VectorMask.fromArray(S, readMask, ij * maskLen + q);
                for (int c = c0, src = xOff + c0 * hw + q + shift, dst = colOff + (c0 * kk + ij) * ld + q; c < c1;
                     c++, src += hw, dst += kk * ld) {
                    FloatVector.fromArray(S, x, src, m).intoArray(col, dst);
                }
            }
            if (whole < hw) {
                VectorMask<Float> m = VectorMask.fromArray(S, readMask, ij * maskLen + whole);
                VectorMask<Float> tail = S.indexInRange(whole, hw);
                for (int c = c0, src = xOff + c0 * hw + whole + shift, dst = colOff + (c0 * kk + ij) * ld + whole;
                     c < c1; c++, src += hw, dst += kk * ld) {
                    FloatVector.fromArray(S, x, src, m).intoArray(col, dst, tail);
                }
            }
        }
    }

    /**
     * {@link Im2col#col2im} as a gather: each input pixel sums its kh·kw shifted column entries in registers, then
     * is stored once (no read-modify-write of the input gradient, and no clearing).
     */
    void col2im(float[] dcol, int colOff, int ld, float[] dx, int dxOff, int c0, int c1) {
        int hw = h * w, kk = kh * kw;
        for (int c = c0; c < c1; c++) {
            int rows = colOff + c * kk * ld;
            int dst = dxOff + c * hw;
            for (int q = 0; q < hw; q += VL) {
                // input pixel q collects column entry q − shift of each (ky, kx) row, in (ky, kx) order
                FloatVector acc = FloatVector.zero(S);
                for (int ij = 0; ij < kk; ij++) {
                    int shift = (ij / kw - pad) * w + ij % kw - pad;
                    VectorMask<Float> m = VectorMask.fromArray(S, gatherMask, ij * maskLen + q);
                    acc = acc.add(FloatVector.fromArray(S, dcol, rows + ij * ld + q - shift, m));
                }
                if (q + VL <= hw) {
                    acc.intoArray(dx, dst + q);
                } else {
                    acc.intoArray(dx, dst + q, S.indexInRange(q, hw));
                }
            }
        }
    }

    /** {@code dst[d, d+len) += src[s, s+len)}. */
    static void addRow(float[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += VL) {
            FloatVector.fromArray(S, dst, d + i).add(FloatVector.fromArray(S, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < len; i++) {
            dst[d + i] += src[s + i];
        }
    }

    /** {@link Im2col#copyRows}. */
    static void copyRows(float[] src, int srcOff, int srcLd, float[] dst, int dstOff, int dstLd, int rows,
                         int len, float[] bias, int biasOff, boolean relu) {
        int whole = S.loopBound(len);
        VectorMask<Float> tail = S.indexInRange(whole, len);
        FloatVector zero = FloatVector.zero(S);
        for (int r = 0; r < rows; r++) {
            int s = srcOff + r * srcLd, d = dstOff + r * dstLd;
            FloatVector b = FloatVector.broadcast(S, bias == null ? 0f : bias[biasOff + r]);
            boolean plain = bias == null && !relu;
            for (int i = 0; i < whole; i += VL) {
                FloatVector v = FloatVector.fromArray(S, src, s + i);
                if (!plain) {
                    v = v.add(b);
                    if (relu) {
                        v = v.max(zero);
                    }
                }
                v.intoArray(dst, d + i);
            }
            if (whole < len) {
                FloatVector v = FloatVector.fromArray(S, src, s + whole, tail);
                if (!plain) {
                    v = v.add(b);
                    if (relu) {
                        v = v.max(zero);
                    }
                }
                v.intoArray(dst, d + whole, tail);
            }
        }
    }
}
