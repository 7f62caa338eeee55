package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API max pooling of {@link Pooling} (loaded only when the vector kernels run): planes copied into a
 * −∞-padded buffer where every window tap is a flat offset, vectors over whole planes, separable passes.
 */
final class VectorPooling {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int VL = S.length();

    private VectorPooling() {
    }

    /**
     * Planes [from, to), plane p's outputs at {@code outBase + p·planeStride}; only for shapes that
     * {@link Pooling#vectorizable} accepts.
     */
    static void maxPoolChunk(float[] in, int from, int to, int h, int w, int kernel, int stride, int padding,
                             int oh, int ow, float[] out, int[] argmax, int outBase, int planeStride) {
        int planeSize = h * w;
        // inference pools (maxima only) go flat over whole planes, without a padded copy: the inception pools
        // (3×3/1 pad 1) and the 3×3/2 and 2×2/2 ones (pad 0, even width: output column j is input column 2j)
        boolean same = kernel == 3 && stride == 1 && padding == 1 && oh == h && ow == w;
        boolean halving = (kernel == 2 || kernel == 3) && stride == 2 && padding == 0 && w % 2 == 0 && ow == w / 2;
        if (argmax == null && (same || halving) && planeSize >= VL) {
            FlatScratch fs = FLAT_SCRATCH.get();
            fs.prepare(h, w);
            // the kernels sum what they read (no separate pass to check the input): a group that holds a NaN or an
            // infinity (or whose sum overflows) is done again plane by plane, the finite planes alone through the
            // kernel, the others by the reference; the row maxima it left behind are cleared first, as the
            // kernels read finite values on either side of their own
            for (int p = from, g; p < to; p += g) {
                g = Math.min(fs.pen.group(), to - p);
                if (!flatGroup(fs, in, p, g, h, w, kernel, same, oh, out, outBase, planeStride)) {
                    for (int q = p; q < p + g; q++) {
                        java.util.Arrays.fill(fs.rowMax, 0f);
                        if (!flatGroup(fs, in, q, 1, h, w, kernel, same, oh, out, outBase, planeStride)) {
                            Pooling.maxPoolReference(in, q, q + 1, h, w, kernel, stride, padding, oh, ow, out, null,
                                    outBase, planeStride);
                        }
                    }
                    java.util.Arrays.fill(fs.rowMax, 0f);
                }
            }
            return;
        }
        PoolScratch sc = SCRATCH.get();
        sc.prepare(h, w, kernel, stride, padding, oh, ow);
        int group = sc.group;
        // one pass over the chunk usually clears every plane; otherwise look plane by plane
        boolean chunkFinite = allFinite(in, from * planeSize, to * planeSize);
        for (int p = from; p < to; ) {
            int g = 0; // the next run of finite planes, at most one group
            while (g < group && p + g < to
                    && (chunkFinite || allFinite(in, (p + g) * planeSize, (p + g + 1) * planeSize))) {
                g++;
            }
            if (g > 0) {
                maxPoolGroup(sc, in, p, g, h, w, kernel, stride, padding, oh, ow, out, argmax, outBase, planeStride,
                        outBase + (to - 1) * planeStride + oh * ow);
                p += g;
            } else {
                Pooling.maxPoolReference(in, p, p + 1, h, w, kernel, stride, padding, oh, ow, out, argmax, outBase,
                        planeStride);
                p++;
            }
        }
    }

    /** The flat kernel for planes [p0, p0+g); false when what it read was not all finite (then redo them). */
    private static boolean flatGroup(FlatScratch fs, float[] in, int p0, int g, int h, int w, int kernel,
                                     boolean same, int oh, float[] out, int outBase, int planeStride) {
        return same ? maxPool3x3Flat(fs, in, p0, g, h, w, out, outBase, planeStride)
                : maxPoolHalvingFlat(fs, in, p0, g, h, w, kernel, oh, out, outBase, planeStride);
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
    private static final ThreadLocal<FlatScratch> FLAT_SCRATCH = ThreadLocal.withInitial(FlatScratch::new);

    /**
     * One thread's buffers for {@link #maxPool3x3Flat} and {@link #maxPoolHalvingFlat}, laid out for the last plane
     * size seen. A group of planes is one flat run of positions q (planes are contiguous in NCHW); a tap that falls
     * outside its window's plane is masked by adding −∞, and a tap inside by adding −0 (which leaves every float as
     * it is, −0 included); that masks only finite values, so only taps inside the group's finite planes are masked
     * this way. The penalties ({@link Penalties}) depend only on q's row and column in its plane: made once per
     * plane size and shared by all threads ({@link #PENALTIES}), since the plan's pools take turns on four sizes.
     */
    private static final class FlatScratch {
        /** the floats a group takes at most, unless one plane is larger: the row maxima stay in L1 */
        static final int FLOATS = 4096;
        int h = -1, w;
        Penalties pen;
        /**
         * the row maxima of a group at [w, w + group·h·w) (the halving kernel: half as many, from 0), finite
         * values on either side (zeros, or row maxima of earlier finite planes), and a vector's slack past them
         */
        float[] rowMax = new float[0];

        void prepare(int h, int w) {
            if (h == this.h && w == this.w) {
                return;
            }
            if (PENALTIES.size() > 64) {
                PENALTIES.clear(); // many map sizes (a caller's own shapes): keep the cache small
            }
            pen = PENALTIES.computeIfAbsent((long) h << 32 | w, key -> Penalties.of(h, w));
            this.h = h;
            this.w = w;
            int size = pen.group * h * w + 2 * w + VL;
            if (rowMax.length < size) {
                rowMax = new float[size];
            }
        }
    }

    /**
     * For one plane size, over a group of {@code group} planes: −∞ where the left / right / upper / lower
     * neighbour of q lies outside q's plane, else −0. For the halving kernel, indexed by its row maxima's position
     * p (one per even input column, w/2 a row): pairEnd is −∞ where column 2p + 2 lies past the row.
     */
    private record Penalties(int group, float[] left, float[] right, float[] pairEnd, float[] up, float[] down) {
        static Penalties of(int h, int w) {
            int plane = h * w, group = Math.max(1, FlatScratch.FLOATS / plane), n = group * plane;
            Penalties p = new Penalties(group, new float[n], new float[n], new float[n / 2], new float[n],
                    new float[n]);
            int half = Math.max(1, w / 2);
            for (int q = 0; q < n / 2; q++) {
                p.pairEnd[q] = q % half == half - 1 ? Float.NEGATIVE_INFINITY : -0f;
            }
            for (int q = 0; q < n; q++) {
                int r = q % plane / w, c = q % w;
                p.left[q] = c == 0 ? Float.NEGATIVE_INFINITY : -0f;
                p.right[q] = c == w - 1 ? Float.NEGATIVE_INFINITY : -0f;
                p.up[q] = r == 0 ? Float.NEGATIVE_INFINITY : -0f;
                p.down[q] = r == h - 1 ? Float.NEGATIVE_INFINITY : -0f;
            }
            return p;
        }
    }

    /** {@link Penalties} by plane size ((long) h << 32 | w), read-only once made. */
    private static final java.util.concurrent.ConcurrentHashMap<Long, Penalties> PENALTIES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * 3×3/1 pad 1 max pooling of planes [p0, p0+g), g ≤ group, maxima only: row maxima of the group's
     * flat run read straight from the input (taps q−1, q, q+1), then column maxima (taps q−w, q, q+w) written
     * plane by plane to {@code out[outBase + p·planeStride ...]}. No padded copy and no lanes past a plane's end, so
     * a 7×7 plane costs 49 lanes, not 81. Needs h·w ≥ VL: each plane's last vector overlaps the one before.
     * Returns false, writing no output, when the planes are not all finite (the sum of what the row pass read).
     */
    private static boolean maxPool3x3Flat(FlatScratch fs, float[] in, int p0, int g, int h, int w, float[] out,
                                          int outBase, int planeStride) {
        int plane = h * w, n = g * plane, base = p0 * plane, last = n - VL; // n ≥ VL
        float[] rm = fs.rowMax, left = fs.pen.left(), right = fs.pen.right();
        // the group's first and last vectors, lane by lane: their outer taps lie in planes outside the group,
        // which may hold NaN or ∞, where adding −∞ would not mask (and in[-1] or in[length] is no element). The
        // last vector overlaps the one before. The loop between is a counted loop, its bound fixed before it
        // starts: moving the loop variable inside the loop (to the last vector) kept C2 from unrolling it and
        // from hoisting its bounds checks, which cost 1.3-1.7x on GoogLeNet's inception pools (README, Benchmarks)
        float edgeSum = rowMaxLanes(in, base, 0, left, right, rm, w);
        FloatVector sum = FloatVector.zero(S);
        for (int c = VL; c < last; c += VL) {
            sum = sum.add(rowMaxVector(in, base + c, left, right, c, rm, w + c));
        }
        if (last > 0) {
            edgeSum += rowMaxLanes(in, base, last, left, right, rm, w);
        }
        if (!Float.isFinite(sum.reduceLanes(VectorOperators.ADD) + edgeSum)) {
            return false;
        }
        float[] up = fs.pen.up(), down = fs.pen.down();
        for (int b = 0; b < g; b++) {
            int c0 = b * plane, end = c0 + plane, o = outBase + (p0 + b) * planeStride - c0;
            for (int c = c0; c < end - VL; c += VL) {
                columnMaxVector(rm, up, down, c, w, out, o + c);
            }
            columnMaxVector(rm, up, down, end - VL, w, out, o + end - VL); // overlaps the one before
        }
        return true;
    }

    /**
     * Row maxima of positions [c, c + VL) of a group one by one, into {@code rm[w + c ...]}; returns the sum of the
     * centre taps (for the finite check).
     */
    private static float rowMaxLanes(float[] in, int base, int c, float[] left, float[] right, float[] rm, int w) {
        float edgeSum = 0f;
        for (int j = c; j < c + VL; j++) {
            float m = left[j] == 0f ? in[base + j - 1] : Float.NEGATIVE_INFINITY;
            float v = in[base + j];
            edgeSum += v;
            m = v > m ? v : m;
            if (right[j] == 0f) {
                v = in[base + j + 1];
                m = v > m ? v : m;
            }
            rm[w + j] = m;
        }
        return edgeSum;
    }

    /**
     * The row maxima of one vector of positions (input from {@code q}, penalties from {@code c}) into
     * {@code rm[at ...]}; returns the centre taps, for the finite check. Taps in the reference's order; a later
     * one replaces the maximum only if strictly greater.
     */
    private static FloatVector rowMaxVector(float[] in, int q, float[] left, float[] right, int c, float[] rm,
                                            int at) {
        FloatVector m = FloatVector.fromArray(S, in, q - 1).add(FloatVector.fromArray(S, left, c));
        FloatVector v = FloatVector.fromArray(S, in, q);
        FloatVector centre = v;
        m = m.blend(v, v.compare(VectorOperators.GT, m));
        v = FloatVector.fromArray(S, in, q + 1).add(FloatVector.fromArray(S, right, c));
        m.blend(v, v.compare(VectorOperators.GT, m)).intoArray(rm, at);
        return centre;
    }

    /** The column maxima (row maxima at c − w, c, c + w, shifted by the w zeros before them) of one vector. */
    private static void columnMaxVector(float[] rm, float[] up, float[] down, int c, int w, float[] out, int at) {
        FloatVector m = FloatVector.fromArray(S, rm, c).add(FloatVector.fromArray(S, up, c));
        FloatVector v = FloatVector.fromArray(S, rm, w + c);
        m = m.blend(v, v.compare(VectorOperators.GT, m));
        v = FloatVector.fromArray(S, rm, 2 * w + c).add(FloatVector.fromArray(S, down, c));
        m.blend(v, v.compare(VectorOperators.GT, m)).intoArray(out, at);
    }

    /**
     * One thread's buffers for {@link #maxPoolGroup}, kept between calls (grown, never shrunk) and laid out for
     * the last shape seen.
     *
     * <p>A band of output rows is pooled from a copy of its input rows, padded with −∞ and split by stride phase:
     * padded element (r, c) of the band goes to phase plane (r mod s, c mod s) at row r/s, column c/s, each phase
     * plane {@code hq × wq}. Window tap (dr, dc) of output (i, j) then sits at flat position
     * {@code i·wq + j + (dr/s)·wq + dc/s} of phase plane (dr mod s, dc mod s): for every tap, consecutive flat
     * positions are consecutive outputs, so one vector covers several output rows of a small map (the lanes that
     * fall on columns j ≥ ow are computed and dropped). With stride 1 this is just the −∞-padded plane.
     *
     * <p>Small maps go {@link #group} planes at a time, their bands stacked in each phase plane ({@link #block}
     * floats apiece), so that the vector loops run long instead of two or three iterations per plane.
     */
    private static final class PoolScratch {
        int h = -1, w, kernel, stride, padding, oh, ow;
        /** output rows per band; one band's phase plane rows, columns; padded input rows of a full band */
        int band, hq, wq, bandRows;
        /** planes pooled together (1 when a plane takes several bands); one band's share of a phase plane, hq·wq */
        int group, block;
        /** the band whose −∞ padding rows are in {@link #padded}, or −1 */
        int padRowsOf = -1;
        float[] padded = new float[0];
        /** horizontal pass: per row phase, the maximum over each window's columns, and its column offset */
        float[] rowMax = new float[0], rowAt = new float[0];
        /** vertical pass: the window maxima at flat positions i·wq + j, and their flat input indices */
        float[] max = new float[0];
        int[] at = new int[0];
        /** flat input index (relative to the group's first band) of each window's top-left corner, padding included */
        int[] corner = new int[0];
        /** where window column dc lies in {@link #padded} relative to column 0 (dc mod s)·plane + dc/s; row dr alike */
        int[] hTaps = new int[0], vTaps = new int[0];

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
            block = hq * wq;
            group = band < oh ? 1 : Math.max(1, Math.min(64, 4096 / (s * s * block)));
            int plane = group * block, slack = 2 * VL + kernel;
            padded = grow(padded, s * s * plane + slack);
            rowMax = grow(rowMax, s * plane + slack);
            rowAt = grow(rowAt, s * plane + slack);
            max = grow(max, plane + slack);
            if (at.length < plane + slack) {
                at = new int[plane + slack];
                corner = new int[plane + slack];
            }
            // padding columns are never written again for this shape; padding rows are refilled per band
            java.util.Arrays.fill(padded, 0, s * s * plane + slack, Float.NEGATIVE_INFINITY);
            padRowsOf = -1;
            if (hTaps.length < kernel) {
                hTaps = new int[kernel];
                vTaps = new int[kernel];
            }
            for (int t = 0; t < kernel; t++) {
                hTaps[t] = (t % s) * plane + t / s;
                vTaps[t] = (t % s) * plane + (t / s) * wq;
            }
            for (int b = 0; b < group; b++) {
                for (int i = 0; i < hq; i++) {
                    for (int j = 0; j < wq; j++) {
                        corner[b * block + i * wq + j] = b * h * w + (i * s - padding) * w + j * s - padding;
                    }
                }
            }
        }

        private static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }
    }

    /** Lane indexes of the even and the odd lanes of two vectors side by side, for {@code selectFrom(a, b)}. */
    private static final float[] EVEN_LANES = lanes(0), ODD_LANES = lanes(1);

    private static float[] lanes(int first) {
        float[] idx = new float[VL];
        for (int i = 0; i < VL; i++) {
            idx[i] = first + 2 * i;
        }
        return idx;
    }

    /**
     * k×k/2 pad 0 max pooling (k = 2 or 3, even w, ow = w/2) of planes [p0, p0+g), g ≤ group, maxima
     * only. Row maxima over taps 2p, 2p+1 (, 2p+2) at the even input positions only, read straight from the input:
     * two vectors of input give one of row maxima, their even and odd lanes picked by {@code selectFrom}; they
     * form rows of ow, one per input row, so that output row i is then the maximum over row-maxima rows 2i, 2i+1
     * (, 2i+2; a row past the map, as ceil mode gives, is left out), whole vectors of outputs at a time.
     * Returns false, writing no output, when the planes are not all finite (the sum of what the row pass read).
     */
    private static boolean maxPoolHalvingFlat(FlatScratch fs, float[] in, int p0, int g, int h, int w, int kernel,
                                              int oh, float[] out, int outBase, int planeStride) {
        int n = g * h * w, base = p0 * h * w, ow = w / 2, pairs = n / 2;
        float[] rm = fs.rowMax, pairEnd = fs.pen.pairEnd();
        FloatVector evens = FloatVector.fromArray(S, EVEN_LANES, 0), odds = FloatVector.fromArray(S, ODD_LANES, 0);
        FloatVector sum = FloatVector.zero(S);
        float edgeSum = 0f;
        // The loads of a vector of pairs from p reach input position 2p + 2·VL + 1. Past the group (in another
        // plane) that is one value, the third tap of the last vector's last lane: a row's end, which pairEnd's −∞
        // masks whatever the value (NaN or +∞ plus −∞ is NaN, which never compares greater). So only a group smaller
        // than a vector, or loads past the array, go lane by lane. The last vector overlaps the one before; the loop
        // before it is a counted loop (see maxPool3x3Flat).
        if (pairs < VL) {
            edgeSum += pairMaxLanes(in, base, 0, pairs, kernel, w, rm);
        } else {
            int last = pairs - VL;
            for (int p = 0; p < last; p += VL) {
                if (base + 2 * p + 2 * VL + 2 > in.length) {
                    edgeSum += pairMaxLanes(in, base, p, p + VL, kernel, w, rm);
                } else {
                    sum = sum.add(pairMaxVector(in, base + 2 * p, evens, odds, kernel, pairEnd, p, rm));
                }
            }
            if (base + 2 * last + 2 * VL + 2 > in.length) {
                edgeSum += pairMaxLanes(in, base, last, pairs, kernel, w, rm);
            } else {
                sum = sum.add(pairMaxVector(in, base + 2 * last, evens, odds, kernel, pairEnd, last, rm));
            }
        }
        if (!Float.isFinite(sum.reduceLanes(VectorOperators.ADD) + edgeSum)) {
            return false;
        }
        for (int b = 0; b < g; b++) {
            for (int i = 0; i < oh; i++) {
                int r0 = (b * h + 2 * i) * ow, o = outBase + (p0 + b) * planeStride + i * ow;
                int taps = Math.min(kernel, h - 2 * i); // rows of the window inside the map
                if (ow < VL) {
                    // reads past the row stay inside rm (finite values); only the row's own outputs are stored
                    columnMax(rm, r0, ow, taps).intoArray(out, o, S.indexInRange(0, ow));
                    continue;
                }
                for (int j = 0; j < ow - VL; j += VL) {
                    columnMax(rm, r0 + j, ow, taps).intoArray(out, o + j);
                }
                columnMax(rm, r0 + ow - VL, ow, taps).intoArray(out, o + ow - VL); // overlaps the one before
            }
        }
        return true;
    }

    /** Row maxima of pairs [from, to) one by one (see {@link #maxPoolHalvingFlat}); returns the sum of what it read. */
    private static float pairMaxLanes(float[] in, int base, int from, int to, int kernel, int w, float[] rm) {
        float edgeSum = 0f;
        for (int j = from; j < to; j++) {
            int c = 2 * j;
            float m = in[base + c], v = in[base + c + 1];
            edgeSum += m + v;
            m = v > m ? v : m;
            if (kernel == 3 && c % w + 2 < w) {
                v = in[base + c + 2];
                m = v > m ? v : m;
            }
            rm[j] = m;
        }
        return edgeSum;
    }

    /**
     * Row maxima of one vector of pairs from p (input from q = base + 2p) into {@code rm[p ...]}; returns the sum of
     * the two vectors of input it read first, for the finite check.
     */
    private static FloatVector pairMaxVector(float[] in, int q, FloatVector evens, FloatVector odds, int kernel,
                                             float[] pairEnd, int p, float[] rm) {
        FloatVector a = FloatVector.fromArray(S, in, q), b = FloatVector.fromArray(S, in, q + VL);
        FloatVector read = a.add(b);
        FloatVector m = evens.selectFrom(a, b);
        FloatVector v = odds.selectFrom(a, b);
        m = m.blend(v, v.compare(VectorOperators.GT, m));
        if (kernel == 3) {
            a = FloatVector.fromArray(S, in, q + 2);
            b = FloatVector.fromArray(S, in, q + 2 + VL);
            v = evens.selectFrom(a, b).add(FloatVector.fromArray(S, pairEnd, p));
            m = m.blend(v, v.compare(VectorOperators.GT, m));
        }
        m.intoArray(rm, p);
        return read;
    }

    /** The maximum over {@code taps} rows of row maxima, ow apart, of one vector from {@code at}. */
    private static FloatVector columnMax(float[] rm, int at, int ow, int taps) {
        FloatVector m = FloatVector.fromArray(S, rm, at);
        for (int t = 1; t < taps; t++) {
            FloatVector v = FloatVector.fromArray(S, rm, at + t * ow);
            m = m.blend(v, v.compare(VectorOperators.GT, m));
        }
        return m;
    }

    /**
     * Planes [p0, p0+g), g ≤ group, through the vectorized band kernel (see {@link PoolScratch}). Output rows
     * shorter than a vector are stored as whole vectors, spilling into the rows after them, which are written
     * later; {@code outEnd} is the end of this task's outputs, past which nothing may spill. Plane p's outputs go
     * to {@code outBase + p·planeStride}; with gaps between the planes (a stride above oh·ow) no row spills past
     * its own plane.
     */
    private static void maxPoolGroup(PoolScratch sc, float[] in, int p0, int g, int h, int w, int kernel, int s,
                                     int padding, int oh, int ow, float[] out, int[] argmax, int outBase,
                                     int planeStride, int outEnd) {
        boolean packed = planeStride == oh * ow;
        int wq = sc.wq, block = sc.block, plane = sc.group * block;
        for (int i0 = 0; i0 < oh; i0 += sc.band) { // one band when g > 1
            int rows = Math.min(sc.band, oh - i0);
            int bandRows = (rows - 1) * s + kernel;
            boolean fillPadRows = sc.padRowsOf != i0;
            sc.padRowsOf = i0;
            for (int b = 0; b < g; b++) {
                loadBand(sc, in, (p0 + b) * h * w, b * block, h, w, s, padding, i0, bandRows, fillPadRows);
            }
            // horizontal pass, per row phase, over the rows that phase has in these bands
            for (int rp = 0; rp < s && rp < bandRows; rp++) {
                int n = ((g - 1) * sc.hq + (bandRows - rp + s - 1) / s - 1) * wq + ow;
                if (argmax == null) {
                    horizontalMax(sc.padded, rp * s * plane, sc.hTaps, kernel, sc.rowMax, rp * plane, n);
                } else {
                    horizontalMaxAt(sc.padded, rp * s * plane, sc.hTaps, kernel, sc.rowMax, sc.rowAt, rp * plane, n);
                }
            }
            int base = p0 * h * w + i0 * s * w; // flat input index that sc.corner is relative to
            if (ow >= VL) {
                // wide rows: the column pass stores each output row straight into out (no round trip through max)
                for (int b = 0; b < g; b++) {
                    for (int i = 0; i < rows; i++) {
                        int o = outBase + (p0 + b) * planeStride + (i0 + i) * ow, q = b * block + i * wq;
                        if (argmax == null) {
                            verticalMax(sc.rowMax, sc.vTaps, kernel, q, ow, out, o);
                        } else {
                            verticalMaxAt(sc.rowMax, sc.rowAt, sc.vTaps, kernel, w, q, ow, out, argmax, o,
                                    sc.corner, base);
                        }
                    }
                }
                continue;
            }
            // short rows: the column pass over all rows at once, then whole-vector row copies
            int n = ((g - 1) * sc.hq + rows - 1) * wq + ow;
            if (argmax == null) {
                verticalMax(sc.rowMax, sc.vTaps, kernel, 0, n, sc.max, 0);
            } else {
                verticalMaxAt(sc.rowMax, sc.rowAt, sc.vTaps, kernel, w, 0, n, sc.max, sc.at, 0, sc.corner, base);
            }
            for (int b = 0; b < g; b++) {
                for (int i = 0; i < rows; i++) {
                    int o = outBase + (p0 + b) * planeStride + (i0 + i) * ow, q = b * block + i * wq;
                    int end = packed ? outEnd : outBase + (p0 + b) * planeStride + oh * ow;
                    if (o + VL <= end) {
                        copyRow(sc.max, q, out, o, ow);
                        if (argmax != null) {
                            copyRow(sc.at, q, argmax, o, ow);
                        }
                    } else {
                        System.arraycopy(sc.max, q, out, o, ow);
                        if (argmax != null) {
                            System.arraycopy(sc.at, q, argmax, o, ow);
                        }
                    }
                }
            }
        }
    }

    /**
     * Copies the input rows of one plane's band starting at output row i0 into the phase planes, at {@code off} in
     * each; rows outside the input are −∞ (written only if {@code fillPadRows}: else they still are).
     */
    private static void loadBand(PoolScratch sc, float[] in, int inBase, int off, int h, int w, int s, int padding,
                                 int i0, int bandRows, boolean fillPadRows) {
        int wq = sc.wq, plane = sc.group * sc.block;
        int cols = Math.min(w, s * wq - padding); // input columns some window reaches (and that fit)
        for (int rl = 0, rp = 0, rq = 0; rl < bandRows; rl++) { // padded row rl is row rq of row phase rp
            int r = i0 * s + rl - padding; // input row
            if (r < 0 || r >= h) {
                if (fillPadRows) {
                    for (int cp = 0; cp < s; cp++) {
                        int d = (rp * s + cp) * plane + off + rq * wq;
                        java.util.Arrays.fill(sc.padded, d, d + wq, Float.NEGATIVE_INFINITY);
                    }
                }
            } else if (s == 1) {
                int src = inBase + r * w, d = off + rq * wq + padding;
                if (cols >= VL || src + VL <= in.length) {
                    copyRow(in, src, sc.padded, d, cols);
                    if (cols < VL) {
                        // the vector spilt past the row into the padding (and the next rows, copied later): −∞ again
                        NEG_INF.intoArray(sc.padded, d + cols);
                    }
                } else {
                    System.arraycopy(in, src, sc.padded, d, cols);
                }
            } else {
                // column phase cp holds padded columns cp, cp+s, ..., i.e. input columns cp−padding, cp−padding+s, ...
                int src = inBase + r * w;
                for (int cp = 0; cp < s; cp++) {
                    int c = cp - padding, d = (rp * s + cp) * plane + off + rq * wq;
                    if (c < 0) { // the phase's first columns are padding (already −∞): start at its first input column
                        int skip = (-c + s - 1) / s;
                        c += skip * s;
                        d += skip;
                    }
                    if (c < cols) {
                        VectorStridedCopy.pick(in, src + c, s, sc.padded, d, (cols - c + s - 1) / s);
                    }
                }
            }
            if (++rp == s) {
                rp = 0;
                rq++;
            }
        }
    }

    private static final FloatVector NEG_INF = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);

    /**
     * {@code dst[d, d+n) = src[s, s+n)} in whole vectors, the last one overlapping the one before; map rows are
     * short (4 to 56 floats), where System.arraycopy's call costs more than the copy. A row shorter than a vector
     * is copied as one whole vector: the caller makes sure that src has it and that spilling past d+n is harmless.
     */
    private static void copyRow(float[] src, int s, float[] dst, int d, int n) {
        int last = Math.max(0, n - VL);
        for (int c = 0; c < last; c += VL) {
            FloatVector.fromArray(S, src, s + c).intoArray(dst, d + c);
        }
        FloatVector.fromArray(S, src, s + last).intoArray(dst, d + last);
    }

    /** {@link #copyRow(float[], int, float[], int, int)} for ints. */
    private static void copyRow(int[] src, int s, int[] dst, int d, int n) {
        int last = Math.max(0, n - VL);
        for (int c = 0; c < last; c += VL) {
            IntVector.fromArray(I, src, s + c).intoArray(dst, d + c);
        }
        IntVector.fromArray(I, src, s + last).intoArray(dst, d + last);
    }

    /*
     * The passes below keep the reference's order exactly: taps in row-major window order, a later tap replaces the
     * running maximum only if strictly greater (so the first of equal values wins, −0 and +0 included). The row
     * pass keeps each row's first maximum, the column pass the first row holding the overall maximum: together the
     * first maximum in row-major order. They run past the last output (into the buffers' slack) to whole vectors.
     */

    /**
     * rowMax[d + q] = max over the window's columns dc of {@code src[base + taps[dc] + q]}, for q in [0, n). The
     * 3-wide window (every GoogLeNet pool) is unrolled: no loop over taps in the hot loop.
     */
    private static void horizontalMax(float[] src, int base, int[] taps, int kernel, float[] dst, int d, int n) {
        if (kernel == 3) {
            int b1 = base + taps[1], b2 = base + taps[2];
            for (int q = 0; q < n; q += VL) {
                FloatVector m = FloatVector.fromArray(S, src, base + q);
                FloatVector v = FloatVector.fromArray(S, src, b1 + q);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
                v = FloatVector.fromArray(S, src, b2 + q);
                m.blend(v, v.compare(VectorOperators.GT, m)).intoArray(dst, d + q);
            }
            return;
        }
        for (int q = 0; q < n; q += VL) {
            FloatVector m = FloatVector.fromArray(S, src, base + q);
            for (int t = 1; t < kernel; t++) {
                FloatVector v = FloatVector.fromArray(S, src, base + taps[t] + q);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
            m.intoArray(dst, d + q);
        }
    }

    /** {@link #horizontalMax}, also recording the column offset dc of each maximum (as a float). */
    private static void horizontalMaxAt(float[] src, int base, int[] taps, int kernel, float[] dst, float[] dstAt,
                                        int d, int n) {
        if (kernel == 3) {
            int b1 = base + taps[1], b2 = base + taps[2];
            for (int q = 0; q < n; q += VL) {
                FloatVector m = FloatVector.fromArray(S, src, base + q);
                FloatVector v = FloatVector.fromArray(S, src, b1 + q);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, m);
                m = m.blend(v, gt);
                FloatVector a = FloatVector.zero(S).blend(1, gt);
                v = FloatVector.fromArray(S, src, b2 + q);
                gt = v.compare(VectorOperators.GT, m);
                m.blend(v, gt).intoArray(dst, d + q);
                a.blend(2, gt).intoArray(dstAt, d + q);
            }
            return;
        }
        for (int q = 0; q < n; q += VL) {
            FloatVector m = FloatVector.fromArray(S, src, base + q);
            FloatVector a = FloatVector.zero(S);
            for (int t = 1; t < kernel; t++) {
                FloatVector v = FloatVector.fromArray(S, src, base + taps[t] + q);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, m);
                m = m.blend(v, gt);
                a = a.blend(t, gt);
            }
            m.intoArray(dst, d + q);
            a.intoArray(dstAt, d + q);
        }
    }

    /**
     * dst[d + c] = max over the window's rows dr of {@code src[taps[dr] + q0 + c]}, for c in [0, n). With
     * {@code n >= VL} the last vector overlaps the one before, so nothing is written past d+n; with a shorter n
     * one whole vector is written (dst must have room).
     */
    private static void verticalMax(float[] src, int[] taps, int kernel, int q0, int n, float[] dst, int d) {
        if (n <= 0) {
            return;
        }
        int o1 = taps[Math.min(1, kernel - 1)], o2 = taps[Math.min(2, kernel - 1)];
        int last = n >= VL ? n - VL : 0; // a counted loop, then the last vector (see maxPool3x3Flat)
        for (int c = 0; c < last; c += VL) {
            verticalMaxVector(src, taps, kernel, o1, o2, q0 + c, dst, d + c);
        }
        verticalMaxVector(src, taps, kernel, o1, o2, q0 + last, dst, d + last);
    }

    /** One vector of {@link #verticalMax}: the window's rows from q, into dst[at ...]. */
    private static void verticalMaxVector(float[] src, int[] taps, int kernel, int o1, int o2, int q, float[] dst,
                                          int at) {
        FloatVector m = FloatVector.fromArray(S, src, q);
        if (kernel == 3) { // unrolled: every GoogLeNet pool
            FloatVector v = FloatVector.fromArray(S, src, o1 + q);
            m = m.blend(v, v.compare(VectorOperators.GT, m));
            v = FloatVector.fromArray(S, src, o2 + q);
            m = m.blend(v, v.compare(VectorOperators.GT, m));
        } else {
            for (int t = 1; t < kernel; t++) {
                FloatVector v = FloatVector.fromArray(S, src, taps[t] + q);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
        }
        m.intoArray(dst, at);
    }

    /**
     * {@link #verticalMax}, also the flat input index of each maximum into {@code at}: window corner
     * ({@code base + corner[q]}) plus dr·w plus the row pass's column offset. Offsets are carried as floats (exact:
     * below k·w) so that one float mask blends both.
     */
    private static void verticalMaxAt(float[] src, float[] srcAt, int[] taps, int kernel, int w, int q0, int n,
                                      float[] dst, int[] at, int d, int[] corner, int base) {
        if (n <= 0) {
            return;
        }
        IntVector b = IntVector.broadcast(I, base);
        int o1 = taps[Math.min(1, kernel - 1)], o2 = taps[Math.min(2, kernel - 1)];
        int last = n >= VL ? n - VL : 0; // a counted loop, then the last vector (see maxPool3x3Flat)
        for (int c = 0; c < last; c += VL) {
            verticalMaxAtVector(src, srcAt, taps, kernel, o1, o2, w, q0 + c, dst, at, d + c, corner, b);
        }
        verticalMaxAtVector(src, srcAt, taps, kernel, o1, o2, w, q0 + last, dst, at, d + last, corner, b);
    }

    /**
     * One vector of {@link #verticalMaxAt}: the window's rows from q (rows 1 and 2 at o1, o2), into dst[to ...] and
     * at[to ...], {@code b} the base index in every lane.
     */
    private static void verticalMaxAtVector(float[] src, float[] srcAt, int[] taps, int kernel, int o1, int o2,
                                            int w, int q, float[] dst, int[] at, int to, int[] corner,
                                            IntVector b) {
        FloatVector m = FloatVector.fromArray(S, src, q);
        FloatVector a = FloatVector.fromArray(S, srcAt, q);
        if (kernel == 3) { // unrolled: every GoogLeNet pool
            FloatVector v = FloatVector.fromArray(S, src, o1 + q);
            VectorMask<Float> gt = v.compare(VectorOperators.GT, m);
            m = m.blend(v, gt);
            a = a.blend(FloatVector.fromArray(S, srcAt, o1 + q).add((float) w), gt);
            v = FloatVector.fromArray(S, src, o2 + q);
            gt = v.compare(VectorOperators.GT, m);
            m = m.blend(v, gt);
            a = a.blend(FloatVector.fromArray(S, srcAt, o2 + q).add((float) (2 * w)), gt);
        } else {
            for (int dr = 1; dr < kernel; dr++) {
                FloatVector v = FloatVector.fromArray(S, src, taps[dr] + q);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, m);
                m = m.blend(v, gt);
                a = a.blend(FloatVector.fromArray(S, srcAt, taps[dr] + q).add(dr * w), gt);
            }
        }
        m.intoArray(dst, to);
        ((IntVector) a.convert(VectorOperators.F2I, 0)).add(IntVector.fromArray(I, corner, q)).add(b)
                .intoArray(at, to);
    }
}
