package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling kernels on NCHW planes. {@link #maxPoolReference} is the plain definition (and records where
 * each maximum came from, for backward); {@link #maxPool} is the fast one: planes in parallel, and for the
 * Inception pool branch's 3×3/1 window with padding 1 a separable Vector-API kernel (row maxima, then column
 * maxima) that needs 4 comparisons per output instead of 8; other windows take the maximum over rows first
 * (vectorized), then over columns.
 */
public final class Pooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());

    private Pooling() {
    }

    /**
     * Reference: every window clipped to the input (padding is −∞), first maximum wins ties, NaN wins.
     * {@code argmax} (may be null) receives the flat input index of each output's maximum.
     */
    public static void maxPoolReference(float[] in, int planeFrom, int planeTo, int h, int w, int kernel, int stride,
                                        int padding, int oh, int ow, float[] out, int[] argmax) {
        for (int p = planeFrom; p < planeTo; p++) {
            int inBase = p * h * w;
            int outBase = p * oh * ow;
            for (int i = 0; i < oh; i++) {
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
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                                best = inBase + r * w + c;
                            }
                        }
                    }
                    out[outBase + i * ow + j] = max;
                    if (argmax != null) {
                        argmax[outBase + i * ow + j] = best;
                    }
                }
            }
        }
    }

    /**
     * Fast max pooling over {@code planes} planes; the same maxima as the reference. When {@code argmax} is given
     * it is filled too, found after the fact as the first window element equal to the maximum (the reference's
     * tie rule), which is cheaper than tracking it while comparing.
     */
    public static void maxPool(float[] in, int planes, int h, int w, int kernel, int stride, int padding,
                               int oh, int ow, float[] out, int[] argmax) {
        boolean separable = kernel == 3 && stride == 1 && padding == 1 && oh == h && ow == w && w >= 2;
        int chunk = Math.max(1, Math.min(planes, 8192 / Math.max(1, h * w) + 1));
        int tasks = (planes + chunk - 1) / chunk;
        Parallel.get().parallelFor(tasks, t -> {
            int from = t * chunk, to = Math.min(planes, from + chunk);
            if (separable) {
                float[] rowMax = new float[3 * w];
                for (int p = from; p < to; p++) {
                    maxPool3x3Same(in, p * h * w, h, w, out, rowMax);
                }
            } else {
                float[] colMax = new float[w];
                for (int p = from; p < to; p++) {
                    maxPoolRowsThenColumns(in, p * h * w, h, w, kernel, stride, padding, oh, ow, out,
                            p * oh * ow, colMax);
                }
            }
            if (argmax != null) {
                if (separable && w > S.length() + 2) {
                    for (int p = from; p < to; p++) {
                        locateMaxima3x3Same(in, p * h * w, h, w, out, argmax);
                    }
                } else {
                    locateMaxima(in, from, to, h, w, kernel, stride, padding, oh, ow, out, argmax);
                }
            }
        });
    }

    /**
     * Any window, one plane: per output row, the maximum over the window's input rows, column by column (Vector
     * API), then the maximum over each window's columns of that. Math.max semantics: NaN wins, as in the reference.
     */
    private static void maxPoolRowsThenColumns(float[] in, int inBase, int h, int w, int kernel, int stride,
                                               int padding, int oh, int ow, float[] out, int outBase, float[] colMax) {
        for (int i = 0; i < oh; i++) {
            int h0 = Math.max(i * stride - padding, 0), h1 = Math.min(i * stride - padding + kernel, h);
            System.arraycopy(in, inBase + h0 * w, colMax, 0, w);
            for (int r = h0 + 1; r < h1; r++) {
                int row = inBase + r * w, c = 0;
                for (int bound = S.loopBound(w); c < bound; c += S.length()) {
                    FloatVector.fromArray(S, colMax, c).max(FloatVector.fromArray(S, in, row + c)).intoArray(colMax, c);
                }
                for (; c < w; c++) {
                    colMax[c] = Math.max(colMax[c], in[row + c]);
                }
            }
            int o = outBase + i * ow;
            for (int j = 0; j < ow; j++) {
                int w0 = Math.max(j * stride - padding, 0), w1 = Math.min(j * stride - padding + kernel, w);
                float m = colMax[w0];
                for (int c = w0 + 1; c < w1; c++) {
                    m = Math.max(m, colMax[c]);
                }
                out[o + j] = m;
            }
        }
    }

    /**
     * {@link #locateMaxima} for the 3×3/1 window with padding 1, 16 outputs at a time: the window's nine positions
     * are compared with the maximum from last to first, so the first equal one wins (the reference's tie rule).
     * Edge columns, and any output whose maximum is NaN, go through the scalar search.
     */
    private static void locateMaxima3x3Same(float[] in, int base, int h, int w, float[] out, int[] argmax) {
        int vl = S.length();
        for (int i = 0; i < h; i++) {
            int o = base + i * w;
            int j = 1;
            for (; j + vl < w; j += vl) {
                FloatVector max = FloatVector.fromArray(S, out, o + j);
                FloatVector found = FloatVector.broadcast(S, -1f);
                for (int k = 8; k >= 0; k--) {
                    int r = i + k / 3 - 1;
                    if (r < 0 || r >= h) {
                        continue;
                    }
                    FloatVector v = FloatVector.fromArray(S, in, base + r * w + j + k % 3 - 1);
                    found = found.blend((float) ((k / 3) * w + k % 3), v.compare(VectorOperators.EQ, max));
                }
                // flat input index = (row i−1, column j−1 of the window's corner) + the offset found
                IntVector idx = (IntVector) found.convert(VectorOperators.F2I, 0);
                IntVector corner = IntVector.broadcast(I, base + (i - 1) * w + j - 1).add(IntVector.zero(I).addIndex(1));
                idx.add(corner).intoArray(argmax, o + j);
                if (found.compare(VectorOperators.LT, 0f).anyTrue()) { // NaN maxima: no position compared equal
                    locateRow(in, h, w, 3, 1, 1, h, w, out, argmax, base, i, j, j + vl);
                }
            }
            locateRow(in, h, w, 3, 1, 1, h, w, out, argmax, base, i, 0, 1);
            locateRow(in, h, w, 3, 1, 1, h, w, out, argmax, base, i, j, w);
        }
    }

    /** Where each maximum came from: the first window element equal to it (the last NaN, for a NaN maximum). */
    private static void locateMaxima(float[] in, int planeFrom, int planeTo, int h, int w, int kernel, int stride,
                                     int padding, int oh, int ow, float[] out, int[] argmax) {
        for (int p = planeFrom; p < planeTo; p++) {
            for (int i = 0; i < oh; i++) {
                locateRow(in, h, w, kernel, stride, padding, oh, ow, out, argmax, p * h * w, i, 0, ow);
            }
        }
    }

    /** One output row {@code i} of the plane at {@code inBase} (output plane {@code inBase/(h·w)}), columns [j0, j1). */
    private static void locateRow(float[] in, int h, int w, int kernel, int stride, int padding, int oh, int ow,
                                  float[] out, int[] argmax, int inBase, int i, int j0, int j1) {
        int outBase = inBase / (h * w) * oh * ow;
        int h0 = Math.max(i * stride - padding, 0), h1 = Math.min(i * stride - padding + kernel, h);
        for (int j = j0; j < j1; j++) {
            int w0 = Math.max(j * stride - padding, 0), w1 = Math.min(j * stride - padding + kernel, w);
            float max = out[outBase + i * ow + j];
            int found = inBase + h0 * w + w0;
            if (Float.isNaN(max)) {
                for (int r = h0; r < h1; r++) {
                    for (int c = w0; c < w1; c++) {
                        if (Float.isNaN(in[inBase + r * w + c])) {
                            found = inBase + r * w + c;
                        }
                    }
                }
            } else {
                search:
                for (int r = h0; r < h1; r++) {
                    for (int c = w0; c < w1; c++) {
                        if (in[inBase + r * w + c] == max) {
                            found = inBase + r * w + c;
                            break search;
                        }
                    }
                }
            }
            argmax[outBase + i * ow + j] = found;
        }
    }

    /** 3×3/1, padding 1, on one plane: horizontal 3-maxima per row (kept for three rows), then vertical. */
    private static void maxPool3x3Same(float[] in, int base, int h, int w, float[] out, float[] rows) {
        for (int r = 0; r < h; r++) {
            rowMax3(in, base + r * w, w, rows, (r % 3) * w);
            // output row r-1 needs rows r-2, r-1, r
            if (r >= 1) {
                int mid = ((r - 1) % 3) * w, below = (r % 3) * w, top = r >= 2 ? ((r - 2) % 3) * w : -1;
                columnMax(rows, top, mid, below, w, out, base + (r - 1) * w);
            }
        }
        int last = ((h - 1) % 3) * w, prev = h >= 2 ? ((h - 2) % 3) * w : -1;
        columnMax(rows, prev, last, -1, w, out, base + (h - 1) * w);
    }

    private static void rowMax3(float[] in, int off, int w, float[] dst, int d) {
        dst[d] = Math.max(in[off], in[off + 1]);
        int c = 1;
        for (; c + S.length() < w; c += S.length()) {
            FloatVector a = FloatVector.fromArray(S, in, off + c - 1);
            FloatVector b = FloatVector.fromArray(S, in, off + c);
            FloatVector e = FloatVector.fromArray(S, in, off + c + 1);
            a.max(b).max(e).intoArray(dst, d + c);
        }
        for (; c < w - 1; c++) {
            dst[d + c] = Math.max(Math.max(in[off + c - 1], in[off + c]), in[off + c + 1]);
        }
        dst[d + w - 1] = Math.max(in[off + w - 2], in[off + w - 1]);
    }

    /** Column maxima of up to three row buffers (offset −1 = absent) into the output row. */
    private static void columnMax(float[] rows, int a, int b, int c, int w, float[] out, int o) {
        int i = 0;
        int bound = S.loopBound(w);
        for (; i < bound; i += S.length()) {
            FloatVector m = FloatVector.fromArray(S, rows, b + i);
            if (a >= 0) {
                m = m.max(FloatVector.fromArray(S, rows, a + i));
            }
            if (c >= 0) {
                m = m.max(FloatVector.fromArray(S, rows, c + i));
            }
            m.intoArray(out, o + i);
        }
        for (; i < w; i++) {
            float m = rows[b + i];
            if (a >= 0) {
                m = Math.max(m, rows[a + i]);
            }
            if (c >= 0) {
                m = Math.max(m, rows[c + i]);
            }
            out[o + i] = m;
        }
    }
}
