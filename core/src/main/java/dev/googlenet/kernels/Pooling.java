package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
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
    private static final int VL = S.length();

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
     * Fast max pooling over {@code planes} planes: the same maxima as the reference, bit for bit, and, when
     * {@code argmax} is given, the same indices (first window element holding the maximum; the last NaN for a NaN
     * maximum). Planes run in parallel in chunks. Planes holding a NaN or an infinity go through the reference
     * (NaN and all-−∞ windows are where the vector search below could disagree with it); so do windows that could
     * be empty, which {@link dev.googlenet.tensor.Shape#pooledSize} never produces.
     */
    public static void maxPool(float[] in, int planes, int h, int w, int kernel, int stride, int padding,
                               int oh, int ow, float[] out, int[] argmax) {
        maxPool(Parallel.get(), in, planes, h, w, kernel, stride, padding, oh, ow, out, argmax);
    }

    /** {@link #maxPool(float[], int, int, int, int, int, int, int, int, float[], int[])} on the given pool. */
    public static void maxPool(Parallel pool, float[] in, int planes, int h, int w, int kernel, int stride,
                               int padding, int oh, int ow, float[] out, int[] argmax) {
        boolean vectorizable = stride >= 1 && padding >= 0 && padding < kernel && oh >= 1 && ow >= 1
                && (oh - 1) * stride - padding < h && (ow - 1) * stride - padding < w;
        int planeSize = h * w;
        int chunk = Math.max(1, Math.min(planes, 8192 / Math.max(1, planeSize) + 1));
        int tasks = (planes + chunk - 1) / chunk;
        pool.parallelFor(tasks, t -> {
            int from = t * chunk, to = Math.min(planes, from + chunk);
            if (!vectorizable) {
                maxPoolReference(in, from, to, h, w, kernel, stride, padding, oh, ow, out, argmax);
                return;
            }
            PoolScratch sc = SCRATCH.get();
            sc.prepare(h, w, kernel, stride, padding, oh, ow);
            // one pass over the chunk usually clears every plane; otherwise look plane by plane
            boolean chunkFinite = allFinite(in, from * planeSize, to * planeSize);
            for (int p = from; p < to; p++) {
                if (chunkFinite || allFinite(in, p * planeSize, (p + 1) * planeSize)) {
                    maxPoolPlane(sc, in, p, h, w, kernel, stride, padding, oh, ow, out, argmax);
                } else {
                    maxPoolReference(in, p, p + 1, h, w, kernel, stride, padding, oh, ow, out, argmax);
                }
            }
        });
    }

    /**
     * Backward of max pooling: {@code dx[0, planes·inPlaneSize)} = 0, then every {@code gradOut[o]} added at
     * {@code dx[argmax[o]]} (added, since overlapping windows can pick the same input). {@code argmax} holds flat
     * input indices as {@link #maxPool} writes them, each inside its own plane; planes run in parallel in chunks,
     * each summing in output order, so the result does not depend on the thread count.
     *
     * @throws IllegalArgumentException if an index lies outside its own plane (it would race with another chunk)
     */
    public static void maxPoolBackward(float[] gradOut, int[] argmax, int planes, int outPlaneSize, int inPlaneSize,
                                       float[] dx) {
        maxPoolBackward(Parallel.get(), gradOut, argmax, planes, outPlaneSize, inPlaneSize, dx);
    }

    /** {@link #maxPoolBackward(float[], int[], int, int, int, float[])} on the given pool. */
    public static void maxPoolBackward(Parallel pool, float[] gradOut, int[] argmax, int planes, int outPlaneSize,
                                       int inPlaneSize, float[] dx) {
        int chunk = Math.max(1, Math.min(planes, 8192 / Math.max(1, inPlaneSize + outPlaneSize) + 1));
        int tasks = (planes + chunk - 1) / chunk;
        pool.parallelFor(tasks, t -> {
            int from = t * chunk, to = Math.min(planes, from + chunk);
            java.util.Arrays.fill(dx, from * inPlaneSize, to * inPlaneSize, 0f);
            for (int p = from; p < to; p++) {
                int lo = p * inPlaneSize, hi = lo + inPlaneSize;
                for (int o = p * outPlaneSize, end = o + outPlaneSize; o < end; o++) {
                    int a = argmax[o];
                    if (a < lo || a >= hi) { // a stray index would also race with another task's plane
                        throw new IllegalArgumentException("argmax[" + o + "] = " + a + " lies outside its plane");
                    }
                    dx[a] += gradOut[o];
                }
            }
        });
    }

    /** True when a[from, to) holds no NaN and no infinity (an overflowing sum can say false; never wrongly true). */
    private static boolean allFinite(float[] a, int from, int to) {
        FloatVector acc = FloatVector.zero(S);
        int i = from;
        for (int bound = from + S.loopBound(to - from); i < bound; i += VL) {
            acc = acc.add(FloatVector.fromArray(S, a, i));
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < to; i++) {
            sum += a[i];
        }
        return Float.isFinite(sum);
    }

    private static final ThreadLocal<PoolScratch> SCRATCH = ThreadLocal.withInitial(PoolScratch::new);

    /**
     * One thread's buffers for {@link #maxPoolPlane}, kept between calls (grown, never shrunk) and laid out for
     * the last shape seen.
     *
     * <p>A band of output rows is pooled from a copy of its input rows, padded with −∞ and split by stride phase:
     * padded element (r, c) of the band goes to phase plane (r mod s, c mod s) at row r/s, column c/s, each phase
     * plane {@code hq × wq}. Window tap (dr, dc) of output (i, j) then sits at flat position
     * {@code i·wq + j + (dr/s)·wq + dc/s} of phase plane (dr mod s, dc mod s): for every tap, consecutive flat
     * positions are consecutive outputs, so one vector covers several output rows of a small map (the lanes that
     * fall on columns j ≥ ow are computed and dropped). With stride 1 this is just the −∞-padded plane.
     */
    private static final class PoolScratch {
        int h = -1, w, kernel, stride, padding, oh, ow;
        /** output rows per band; phase plane rows, columns; padded input rows of a full band */
        int band, hq, wq, bandRows;
        /** the band whose −∞ padding rows are in {@link #padded}, or −1 */
        int padRowsOf = -1;
        float[] padded = new float[0];
        /** horizontal pass: per row phase, the maximum over each window's columns, and its column offset */
        float[] rowMax = new float[0], rowAt = new float[0];
        /** vertical pass: the window maxima at flat positions i·wq + j, and their flat input indices */
        float[] max = new float[0];
        int[] at = new int[0];
        /** flat input index (band-relative) of each window's top-left corner, padding included */
        int[] corner = new int[0];

        void prepare(int h, int w, int kernel, int stride, int padding, int oh, int ow) {
            if (h == this.h && w == this.w && kernel == this.kernel && stride == this.stride
                    && padding == this.padding && oh == this.oh && ow == this.ow) {
                return;
            }
            this.h = h;
            this.w = w;
            this.kernel = kernel;
            this.stride = stride;
            this.padding = padding;
            this.oh = oh;
            this.ow = ow;
            int s = stride;
            int wp = (ow - 1) * s + kernel; // padded columns the windows reach (more than padding: padding < kernel)
            wq = (wp + s - 1) / s;
            // bands keep the padded copy near 16 KB, so that all buffers stay in L1/L2 on wide maps
            int fit = (4096 / (wq * s) - kernel) / s + 1;
            band = Math.max(1, Math.min(oh, fit));
            bandRows = (band - 1) * s + kernel;
            hq = (bandRows + s - 1) / s;
            int plane = hq * wq, slack = 2 * VL + kernel;
            padded = grow(padded, s * s * plane + slack);
            rowMax = grow(rowMax, s * plane + slack);
            rowAt = grow(rowAt, s * plane + slack);
            max = grow(max, band * wq + slack);
            if (at.length < band * wq + slack) {
                at = new int[band * wq + slack];
                corner = new int[band * wq + slack];
            }
            // padding columns are never written again for this shape; padding rows are refilled per band
            java.util.Arrays.fill(padded, Float.NEGATIVE_INFINITY);
            padRowsOf = -1;
            for (int i = 0; i < band; i++) {
                for (int j = 0; j < wq; j++) {
                    corner[i * wq + j] = (i * s - padding) * w + j * s - padding;
                }
            }
        }

        private static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }
    }

    /** One plane through the vectorized band kernel (see {@link PoolScratch}). */
    private static void maxPoolPlane(PoolScratch sc, float[] in, int p, int h, int w, int kernel, int s,
                                     int padding, int oh, int ow, float[] out, int[] argmax) {
        int inBase = p * h * w, outBase = p * oh * ow;
        int wq = sc.wq, plane = sc.hq * wq;
        for (int i0 = 0; i0 < oh; i0 += sc.band) {
            int rows = Math.min(sc.band, oh - i0);
            int bandRows = (rows - 1) * s + kernel;
            loadBand(sc, in, inBase, h, w, s, padding, i0, bandRows);
            // horizontal pass, per row phase, over the rows that phase has in this band
            for (int rp = 0; rp < s && rp < bandRows; rp++) {
                int n = ((bandRows - rp + s - 1) / s - 1) * wq + ow;
                if (argmax == null) {
                    horizontalMax(sc.padded, rp * s * plane, plane, sc.rowMax, rp * plane, n, kernel, s);
                } else {
                    horizontalMaxAt(sc.padded, rp * s * plane, plane, sc.rowMax, sc.rowAt, rp * plane, n, kernel, s);
                }
            }
            int n = (rows - 1) * wq + ow;
            if (argmax == null) {
                verticalMax(sc.rowMax, plane, wq, sc.max, n, kernel, s);
            } else {
                verticalMaxAt(sc.rowMax, sc.rowAt, plane, wq, w, sc.max, sc.at, sc.corner, inBase + i0 * s * w, n,
                        kernel, s);
            }
            for (int i = 0; i < rows; i++) {
                int o = outBase + (i0 + i) * ow;
                System.arraycopy(sc.max, i * wq, out, o, ow);
                if (argmax != null) {
                    System.arraycopy(sc.at, i * wq, argmax, o, ow);
                }
            }
        }
    }

    /** Copies the input rows of the band starting at output row i0 into the phase planes; rows outside are −∞. */
    private static void loadBand(PoolScratch sc, float[] in, int inBase, int h, int w, int s, int padding, int i0,
                                 int bandRows) {
        int wq = sc.wq, hq = sc.hq;
        int cols = Math.min(w, s * wq - padding); // input columns some window reaches (and that fit)
        boolean fillPadRows = sc.padRowsOf != i0;
        sc.padRowsOf = i0;
        for (int rl = 0; rl < bandRows; rl++) {
            int r = i0 * s + rl - padding; // input row
            int rp = rl % s, rq = rl / s;
            if (r < 0 || r >= h) {
                if (fillPadRows) {
                    for (int cp = 0; cp < s; cp++) {
                        int d = ((rp * s + cp) * hq + rq) * wq;
                        java.util.Arrays.fill(sc.padded, d, d + wq, Float.NEGATIVE_INFINITY);
                    }
                }
                continue;
            }
            int src = inBase + r * w;
            if (s == 1) {
                System.arraycopy(in, src, sc.padded, rq * wq + padding, cols);
                continue;
            }
            for (int cp = 0; cp < s; cp++) {
                int c = Math.floorMod(cp - padding, s); // first input column in column phase cp
                int d = ((rp * s + cp) * hq + rq) * wq + (c + padding) / s;
                for (; c < cols; c += s) {
                    sc.padded[d++] = in[src + c];
                }
            }
        }
    }

    /*
     * The passes below keep the reference's order exactly: taps in row-major window order, a later tap replaces the
     * running maximum only if strictly greater (so the first of equal values wins, −0 and +0 included). The row
     * pass keeps each row's first maximum, the column pass the first row holding the overall maximum: together the
     * first maximum in row-major order. They run past the last output (into the buffers' slack) to whole vectors.
     */

    /** rowMax[d + q] = max over dc of phase-row plane (dc mod s) at q + dc/s, for q in [0, n). */
    private static void horizontalMax(float[] src, int base, int plane, float[] dst, int d, int n, int kernel, int s) {
        for (int q = 0; q < n; q += VL) {
            FloatVector m = FloatVector.fromArray(S, src, base + q);
            for (int dc = 1; dc < kernel; dc++) {
                FloatVector v = FloatVector.fromArray(S, src, base + (dc % s) * plane + dc / s + q);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
            m.intoArray(dst, d + q);
        }
    }

    /** {@link #horizontalMax}, also recording the column offset dc of each maximum. */
    private static void horizontalMaxAt(float[] src, int base, int plane, float[] dst, float[] dstAt, int d, int n,
                                        int kernel, int s) {
        for (int q = 0; q < n; q += VL) {
            FloatVector m = FloatVector.fromArray(S, src, base + q);
            FloatVector a = FloatVector.zero(S);
            for (int dc = 1; dc < kernel; dc++) {
                FloatVector v = FloatVector.fromArray(S, src, base + (dc % s) * plane + dc / s + q);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, m);
                m = m.blend(v, gt);
                a = a.blend(dc, gt);
            }
            m.intoArray(dst, d + q);
            a.intoArray(dstAt, d + q);
        }
    }

    /** max[q] = max over dr of rowMax plane (dr mod s) at q + (dr/s)·wq, for q in [0, n). */
    private static void verticalMax(float[] src, int plane, int wq, float[] max, int n, int kernel, int s) {
        for (int q = 0; q < n; q += VL) {
            FloatVector m = FloatVector.fromArray(S, src, q);
            for (int dr = 1; dr < kernel; dr++) {
                FloatVector v = FloatVector.fromArray(S, src, (dr % s) * plane + (dr / s) * wq + q);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
            m.intoArray(max, q);
        }
    }

    /**
     * {@link #verticalMax}, also the flat input index of each maximum: window corner ({@code base + corner[q]})
     * plus dr·w plus the row pass's column offset. Offsets are carried as floats (exact: below k·w) so that one
     * float mask blends both.
     */
    private static void verticalMaxAt(float[] src, float[] srcAt, int plane, int wq, int w, float[] max, int[] at,
                                      int[] corner, int base, int n, int kernel, int s) {
        IntVector b = IntVector.broadcast(I, base);
        for (int q = 0; q < n; q += VL) {
            FloatVector m = FloatVector.fromArray(S, src, q);
            FloatVector a = FloatVector.fromArray(S, srcAt, q);
            for (int dr = 1; dr < kernel; dr++) {
                int off = (dr % s) * plane + (dr / s) * wq + q;
                FloatVector v = FloatVector.fromArray(S, src, off);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, m);
                m = m.blend(v, gt);
                a = a.blend(FloatVector.fromArray(S, srcAt, off).add(dr * w), gt);
            }
            m.intoArray(max, q);
            ((IntVector) a.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, corner, q)).add(b)
                    .intoArray(at, q);
        }
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
