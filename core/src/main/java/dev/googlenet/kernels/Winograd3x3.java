package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.Objects;

/**
 * 3×3, stride 1, padding 1 convolution of NCHW float32 images by Winograd's minimal filtering F(m×m, 3×3), for
 * inference: m = 4 (6×6 tiles, 4× fewer multiplies than direct convolution) or m = 2 (4×4 tiles, 2.25×).
 *
 * <p>Per image, in three parallel phases on the engine's {@link Parallel} pool:
 * <ol>
 *   <li><b>input transform</b>, channels over tasks: each channel plane is copied into a zero-padded plane,
 *       and VL tiles at a time (tiles numbered row-major over the whole image, gathered from the plane) become
 *       {@code V[ξ][ci][t] = (Bᵀ d B)[ξ]};</li>
 *   <li><b>α² independent GEMMs</b>, one per Winograd point ξ, over tasks:
 *       {@code M[ξ][t][co] = Σ_ci V[ξ][ci][t] · U[ξ][ci][co]}, vectorized over output channels (so the vector
 *       width never depends on the image size; see {@link WinogradGemm});</li>
 *   <li><b>output transform</b>, (tile row, block of VL channels) over tasks: {@code Y = Aᵀ M A} + bias, ReLU,
 *       staged pixel-major for one tile row, then transposed 16×16 in registers into the NCHW output rows.</li>
 * </ol>
 * Right and bottom edges: tiles past the image read zeros and their outputs are not stored. Every output value
 * is computed by the same sequence of operations whatever the thread count or task order, so results are
 * bitwise identical across runs and thread counts.
 *
 * <p>Scratch (V, M, padded planes) is per thread and reused: steady-state calls allocate only task closures.
 * Accuracy: F(2,3) is about as exact as direct convolution; F(4,3) loses roughly one more decimal digit (the
 * transforms have entries up to 8 and 1/24); see {@code Winograd3x3Test} for measured errors.
 */
public final class Winograd3x3 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    /** Below this many multiply-adds (of the Winograd GEMMs) a phase is not split among threads. */
    private static final long MIN_PARALLEL_WORK = 1L << 16;

    private Winograd3x3() {
    }

    /** A transformed filter bank: U[ξ][ci][co] for α² Winograd points, output channels padded to whole vectors. */
    public static final class Weights {
        final int tile;
        final int alpha;
        final int cin;
        final int cout;
        final int coPad;
        final float[] u;

        private Weights(int tile, int cin, int cout, int coPad, float[] u) {
            this.tile = tile;
            this.alpha = tile + 2;
            this.cin = cin;
            this.cout = cout;
            this.coPad = coPad;
            this.u = u;
        }

        /** Output tile size m of F(m×m, 3×3): 2 or 4. */
        public int tile() {
            return tile;
        }

        public int inChannels() {
            return cin;
        }

        public int outChannels() {
            return cout;
        }

        /** Floats held (α²·Cin·Cout rounded up to vectors): 16/9 (m = 2) or 4 (m = 4) times the 3×3 weights. */
        public long size() {
            return u.length;
        }
    }

    /** {@link #transformWeights(float[], int, int, int, int)} with F(4×4, 3×3) and weights at offset 0. */
    public static Weights transformWeights(float[] w, int cout, int cin) {
        return transformWeights(w, 0, cout, cin, 4);
    }

    /**
     * Transforms weights in PyTorch layout {@code w[co][ci][3][3]} (from {@code wOff}) for F(tile×tile, 3×3),
     * tile 2 or 4. Done once per weight version by the caller; the result is read-only and shareable.
     */
    public static Weights transformWeights(float[] w, int wOff, int cout, int cin, int tile) {
        if (tile != 2 && tile != 4) {
            throw new IllegalArgumentException("Winograd tile must be 2 or 4, not " + tile);
        }
        if (cout <= 0 || cin <= 0) {
            throw new IllegalArgumentException("channels must be positive: cout=" + cout + " cin=" + cin);
        }
        Objects.checkFromIndexSize(wOff, (long) cout * cin * 9 > Integer.MAX_VALUE ? -1 : cout * cin * 9,
                w.length);
        int coPad = roundUp(cout, VL);
        return new Weights(tile, cin, cout, coPad, WinogradTransforms.filters(w, wOff, cout, cin, tile, coPad));
    }

    /**
     * One image on the engine pool: {@code out[outOff + (outChannelOffset + co)·h·w + y·w + x] =
     * act(bias[co] + Σ_ci,i,j x[xOff + ci·h·w + (y+i-1)·w + (x+j-1)] · w[co][ci][i][j])}, i.e. channels
     * {@code [outChannelOffset, outChannelOffset + cout)} of the image whose base in an
     * {@code [N, outTotalChannels, h, w]} tensor is {@code outOff}. {@code bias} may be null; {@code relu} clamps
     * at zero after the bias.
     */
    public static void forward(float[] x, int xOff, int cin, int h, int w, Weights u, float[] bias, boolean relu,
                               float[] out, int outOff, int outTotalChannels, int outChannelOffset) {
        forward(Parallel.get(), x, xOff, cin, h, w, u, bias, relu, out, outOff, outTotalChannels, outChannelOffset);
    }

    /** {@link #forward(float[], int, int, int, int, Weights, float[], boolean, float[], int, int, int)} on a given pool. */
    public static void forward(Parallel pool, float[] x, int xOff, int cin, int h, int w, Weights u, float[] bias,
                               boolean relu, float[] out, int outOff, int outTotalChannels, int outChannelOffset) {
        check(x, xOff, 1, cin, h, w, u, bias, out, outOff, outTotalChannels, outChannelOffset);
        image(pool, x, xOff, h, w, u, bias, relu, out, outOff, outChannelOffset);
    }

    /**
     * {@code n} images: image i at {@code x[i·cin·h·w]}, its output channels at
     * {@code out[(i·outTotalChannels + outChannelOffset)·h·w]}. Images run in parallel, each on one thread
     * (a single image, or a one-thread pool, parallelizes inside the image instead).
     */
    public static void forwardBatch(Parallel pool, float[] x, int n, int cin, int h, int w, Weights u, float[] bias,
                                    boolean relu, float[] out, int outTotalChannels, int outChannelOffset) {
        check(x, 0, n, cin, h, w, u, bias, out, 0, outTotalChannels, outChannelOffset);
        int inImage = cin * h * w;
        int outImage = outTotalChannels * h * w;
        if (n == 1 || pool.threads() == 1) {
            for (int i = 0; i < n; i++) {
                image(pool, x, i * inImage, h, w, u, bias, relu, out, i * outImage, outChannelOffset);
            }
        } else {
            // nested parallelFor calls inside a task run inline: each image is single-threaded
            pool.parallelFor(n, i -> image(pool, x, i * inImage, h, w, u, bias, relu, out, i * outImage,
                    outChannelOffset));
        }
    }

    /** {@link #forwardBatch(Parallel, float[], int, int, int, int, Weights, float[], boolean, float[], int, int)} on the engine pool. */
    public static void forwardBatch(float[] x, int n, int cin, int h, int w, Weights u, float[] bias, boolean relu,
                                    float[] out, int outTotalChannels, int outChannelOffset) {
        forwardBatch(Parallel.get(), x, n, cin, h, w, u, bias, relu, out, outTotalChannels, outChannelOffset);
    }

    private static void check(float[] x, int xOff, int n, int cin, int h, int w, Weights u, float[] bias,
                              float[] out, int outOff, int outTotal, int outChannelOffset) {
        if (u.cin != cin) {
            throw new IllegalArgumentException("weights take " + u.cin + " input channels, not " + cin);
        }
        if (h <= 0 || w <= 0 || n < 0) {
            throw new IllegalArgumentException("invalid input size " + n + "x" + cin + "x" + h + "x" + w);
        }
        if (outChannelOffset < 0 || outChannelOffset + u.cout > outTotal) {
            throw new IllegalArgumentException("output channels [" + outChannelOffset + ", "
                    + (outChannelOffset + u.cout) + ") do not fit in " + outTotal);
        }
        if (bias != null && bias.length < u.cout) {
            throw new IllegalArgumentException("bias has " + bias.length + " values for " + u.cout + " channels");
        }
        long hw = (long) h * w;
        if (xOff < 0 || xOff + n * cin * hw > x.length) {
            throw new IllegalArgumentException("input array too small");
        }
        if (outOff < 0 || outOff + n * outTotal * hw > out.length) {
            throw new IllegalArgumentException("output array too small");
        }
    }

    /** The three phases for one image (inline when called from inside a task of the same pool). */
    private static void image(Parallel pool, float[] x, int xOff, int h, int w, Weights u, float[] bias,
                              boolean relu, float[] out, int outOff, int outChannelOffset) {
        int m = u.tile;
        int a2 = u.alpha * u.alpha;
        int cin = u.cin;
        int coPad = u.coPad;
        int tilesY = (h + m - 1) / m;
        int tilesX = (w + m - 1) / m;
        int tiles = tilesY * tilesX;
        int tp = roundUp(tiles, VL);
        int wp = tilesX * m + 2;
        int hp = tilesY * m + 2;
        Scratch s = SCRATCH.get();
        float[] v = s.v(a2 * cin * tp);
        float[] mm = s.m(a2 * tiles * coPad);
        int[] idx = s.index(tilesX, tiles, tp, m, wp);
        int threads = pool.threads();
        boolean parallel = threads > 1 && (long) a2 * tiles * cin * coPad >= MIN_PARALLEL_WORK;

        // 1: input transform, channels over tasks
        int inTasks = parallel ? Math.min(cin, threads * 4) : 1;
        pool.parallelFor(inTasks, task -> inputChannels(x, xOff, h, w, cin, m, hp, wp, idx, tp, v,
                (int) ((long) cin * task / inTasks), (int) ((long) cin * (task + 1) / inTasks)));

        // 2: one GEMM per Winograd point
        int xiPerTask = parallel ? 1 : a2;
        pool.parallelFor(a2 / xiPerTask, task -> {
            for (int xi = task * xiPerTask; xi < (task + 1) * xiPerTask; xi++) {
                WinogradGemm.gemm(cin, v, xi * cin * tp, tp, 0, tiles, u.u, xi * cin * coPad, coPad, coPad,
                        mm, xi * tiles * coPad, coPad);
            }
        });

        // 3: output transform, (tile row, channel block) units over tasks
        int coBlocks = coPad / VL;
        int units = tilesY * coBlocks;
        int outTasks = parallel ? Math.min(units, threads * 4) : 1;
        pool.parallelFor(outTasks, task -> outputUnits(mm, tiles, tilesX, m, u, bias, relu, out, outOff,
                outChannelOffset, h, w, (int) ((long) units * task / outTasks),
                (int) ((long) units * (task + 1) / outTasks)));
    }

    /** Input transform of channels [c0, c1) into V. */
    private static void inputChannels(float[] x, int xOff, int h, int w, int cin, int m, int hp, int wp, int[] idx,
                                      int tp, float[] v, int c0, int c1) {
        Scratch s = SCRATCH.get();
        float[] plane = s.plane(hp * wp);
        Arrays.fill(plane, 0, hp * wp, 0f); // the border stays zero; the interior is overwritten per channel
        float[] tmp = s.tmp;
        int xiStride = cin * tp;
        for (int c = c0; c < c1; c++) {
            int src = xOff + c * h * w;
            for (int y = 0; y < h; y++) {
                System.arraycopy(x, src + y * w, plane, (y + 1) * wp + 1, w);
            }
            int vBase = c * tp;
            if (m == 4) {
                for (int tb = 0; tb < tp; tb += VL) {
                    WinogradTransforms.input4(plane, wp, idx, tb, tmp, v, vBase + tb, xiStride);
                }
            } else {
                for (int tb = 0; tb < tp; tb += VL) {
                    WinogradTransforms.input2(plane, wp, idx, tb, v, vBase + tb, xiStride);
                }
            }
        }
    }

    /** Output transform of units [u0, u1), unit = tileRow · coBlocks + coBlock. */
    private static void outputUnits(float[] mm, int tiles, int tilesX, int m, Weights u, float[] bias,
                                    boolean relu, float[] out, int outOff, int outChannelOffset, int h, int w,
                                    int u0, int u1) {
        Scratch s = SCRATCH.get();
        int coBlocks = u.coPad / VL;
        int coPad = u.coPad;
        int wst = roundUp(tilesX * m, VL); // staged pixels per row (whole transpose blocks)
        float[] stage = s.stage(m * wst * VL);
        float[] tmp = s.tmp;
        int hw = h * w;
        int xiStride = tiles * coPad;
        for (int unit = u0; unit < u1; unit++) {
            int ty = unit / coBlocks;
            int cb = unit % coBlocks;
            int co0 = cb * VL;
            FloatVector bv = biasVector(bias, co0, u.cout);
            int yRow = wst * VL;
            for (int tx = 0; tx < tilesX; tx++) {
                int mBase = (ty * tilesX + tx) * coPad + co0;
                if (m == 4) {
                    WinogradTransforms.output4(mm, mBase, xiStride, bv, relu, tmp, stage, tx * 4 * VL, yRow);
                } else {
                    WinogradTransforms.output2(mm, mBase, xiStride, bv, relu, stage, tx * 2 * VL, yRow);
                }
            }
            int channels = Math.min(VL, u.cout - co0);
            int base = outOff + (outChannelOffset + co0) * hw;
            for (int yi = 0; yi < m && ty * m + yi < h; yi++) {
                int y = ty * m + yi;
                storeRow(stage, yi * yRow, out, base + y * w, hw, w, channels, tmp);
            }
        }
    }

    /**
     * Writes one staged output row (pixel-major: {@code stage[at + x·VL + lane]}) into NCHW rows
     * {@code out[rowBase + lane·hw + x]} for lanes below {@code channels} and x below w.
     */
    private static void storeRow(float[] stage, int at, float[] out, int rowBase, int hw, int w, int channels,
                                 float[] tmp) {
        if (VL != 16) {
            for (int l = 0; l < channels; l++) {
                for (int x = 0; x < w; x++) {
                    out[rowBase + l * hw + x] = stage[at + x * VL + l];
                }
            }
            return;
        }
        for (int x0 = 0; x0 < w; x0 += 16) {
            int width = Math.min(16, w - x0);
            if (width == 16 && channels == 16) {
                transpose16(stage, at + x0 * 16, out, rowBase + x0, hw);
            } else {
                transpose16(stage, at + x0 * 16, tmp, 0, 16);
                for (int l = 0; l < channels; l++) {
                    System.arraycopy(tmp, l * 16, out, rowBase + l * hw + x0, width);
                }
            }
        }
    }

    private static final float[] TRANSPOSE_INDEX = transposeIndex();

    /** selectFrom index vectors for the four rounds of a 16×16 transpose: {lo8, hi8, lo4, hi4, lo2, hi2, lo1, hi1}. */
    private static float[] transposeIndex() {
        float[] t = new float[128];
        int k = 0;
        for (int s = 8; s >= 1; s /= 2) {
            for (int i = 0; i < 16; i++) { // lo: rows r (first of the pair) take their left halves of blocks
                t[k * 16 + i] = (i / s) % 2 == 0 ? i : 16 + i - s;
                t[(k + 1) * 16 + i] = (i / s) % 2 == 0 ? i + s : 16 + i;
            }
            k += 2;
        }
        return t;
    }

    /**
     * Transposes the 16×16 block {@code src[so + r·16 + c]} into {@code dst[d0 + c·ds + r]} (16 rows of 16
     * values, row stride ds) by four rounds of two-vector permutes swapping the off-diagonal 8×8, 4×4, 2×2 and
     * 1×1 blocks.
     */
    static void transpose16(float[] src, int so, float[] dst, int d0, int ds) {
        FloatVector r0 = FloatVector.fromArray(S, src, so);
        FloatVector r1 = FloatVector.fromArray(S, src, so + 16);
        FloatVector r2 = FloatVector.fromArray(S, src, so + 32);
        FloatVector r3 = FloatVector.fromArray(S, src, so + 48);
        FloatVector r4 = FloatVector.fromArray(S, src, so + 64);
        FloatVector r5 = FloatVector.fromArray(S, src, so + 80);
        FloatVector r6 = FloatVector.fromArray(S, src, so + 96);
        FloatVector r7 = FloatVector.fromArray(S, src, so + 112);
        FloatVector r8 = FloatVector.fromArray(S, src, so + 128);
        FloatVector r9 = FloatVector.fromArray(S, src, so + 144);
        FloatVector r10 = FloatVector.fromArray(S, src, so + 160);
        FloatVector r11 = FloatVector.fromArray(S, src, so + 176);
        FloatVector r12 = FloatVector.fromArray(S, src, so + 192);
        FloatVector r13 = FloatVector.fromArray(S, src, so + 208);
        FloatVector r14 = FloatVector.fromArray(S, src, so + 224);
        FloatVector r15 = FloatVector.fromArray(S, src, so + 240);
        FloatVector lo = FloatVector.fromArray(S, TRANSPOSE_INDEX, 0);
        FloatVector hi = FloatVector.fromArray(S, TRANSPOSE_INDEX, 16);
        FloatVector t;
        t = lo.selectFrom(r0, r8); r8 = hi.selectFrom(r0, r8); r0 = t;
        t = lo.selectFrom(r1, r9); r9 = hi.selectFrom(r1, r9); r1 = t;
        t = lo.selectFrom(r2, r10); r10 = hi.selectFrom(r2, r10); r2 = t;
        t = lo.selectFrom(r3, r11); r11 = hi.selectFrom(r3, r11); r3 = t;
        t = lo.selectFrom(r4, r12); r12 = hi.selectFrom(r4, r12); r4 = t;
        t = lo.selectFrom(r5, r13); r13 = hi.selectFrom(r5, r13); r5 = t;
        t = lo.selectFrom(r6, r14); r14 = hi.selectFrom(r6, r14); r6 = t;
        t = lo.selectFrom(r7, r15); r15 = hi.selectFrom(r7, r15); r7 = t;
        lo = FloatVector.fromArray(S, TRANSPOSE_INDEX, 32);
        hi = FloatVector.fromArray(S, TRANSPOSE_INDEX, 48);
        t = lo.selectFrom(r0, r4); r4 = hi.selectFrom(r0, r4); r0 = t;
        t = lo.selectFrom(r1, r5); r5 = hi.selectFrom(r1, r5); r1 = t;
        t = lo.selectFrom(r2, r6); r6 = hi.selectFrom(r2, r6); r2 = t;
        t = lo.selectFrom(r3, r7); r7 = hi.selectFrom(r3, r7); r3 = t;
        t = lo.selectFrom(r8, r12); r12 = hi.selectFrom(r8, r12); r8 = t;
        t = lo.selectFrom(r9, r13); r13 = hi.selectFrom(r9, r13); r9 = t;
        t = lo.selectFrom(r10, r14); r14 = hi.selectFrom(r10, r14); r10 = t;
        t = lo.selectFrom(r11, r15); r15 = hi.selectFrom(r11, r15); r11 = t;
        lo = FloatVector.fromArray(S, TRANSPOSE_INDEX, 64);
        hi = FloatVector.fromArray(S, TRANSPOSE_INDEX, 80);
        t = lo.selectFrom(r0, r2); r2 = hi.selectFrom(r0, r2); r0 = t;
        t = lo.selectFrom(r1, r3); r3 = hi.selectFrom(r1, r3); r1 = t;
        t = lo.selectFrom(r4, r6); r6 = hi.selectFrom(r4, r6); r4 = t;
        t = lo.selectFrom(r5, r7); r7 = hi.selectFrom(r5, r7); r5 = t;
        t = lo.selectFrom(r8, r10); r10 = hi.selectFrom(r8, r10); r8 = t;
        t = lo.selectFrom(r9, r11); r11 = hi.selectFrom(r9, r11); r9 = t;
        t = lo.selectFrom(r12, r14); r14 = hi.selectFrom(r12, r14); r12 = t;
        t = lo.selectFrom(r13, r15); r15 = hi.selectFrom(r13, r15); r13 = t;
        lo = FloatVector.fromArray(S, TRANSPOSE_INDEX, 96);
        hi = FloatVector.fromArray(S, TRANSPOSE_INDEX, 112);
        t = lo.selectFrom(r0, r1); r1 = hi.selectFrom(r0, r1); r0 = t;
        t = lo.selectFrom(r2, r3); r3 = hi.selectFrom(r2, r3); r2 = t;
        t = lo.selectFrom(r4, r5); r5 = hi.selectFrom(r4, r5); r4 = t;
        t = lo.selectFrom(r6, r7); r7 = hi.selectFrom(r6, r7); r6 = t;
        t = lo.selectFrom(r8, r9); r9 = hi.selectFrom(r8, r9); r8 = t;
        t = lo.selectFrom(r10, r11); r11 = hi.selectFrom(r10, r11); r10 = t;
        t = lo.selectFrom(r12, r13); r13 = hi.selectFrom(r12, r13); r12 = t;
        t = lo.selectFrom(r14, r15); r15 = hi.selectFrom(r14, r15); r14 = t;
        r0.intoArray(dst, d0);
        r1.intoArray(dst, d0 + ds);
        r2.intoArray(dst, d0 + 2 * ds);
        r3.intoArray(dst, d0 + 3 * ds);
        r4.intoArray(dst, d0 + 4 * ds);
        r5.intoArray(dst, d0 + 5 * ds);
        r6.intoArray(dst, d0 + 6 * ds);
        r7.intoArray(dst, d0 + 7 * ds);
        r8.intoArray(dst, d0 + 8 * ds);
        r9.intoArray(dst, d0 + 9 * ds);
        r10.intoArray(dst, d0 + 10 * ds);
        r11.intoArray(dst, d0 + 11 * ds);
        r12.intoArray(dst, d0 + 12 * ds);
        r13.intoArray(dst, d0 + 13 * ds);
        r14.intoArray(dst, d0 + 14 * ds);
        r15.intoArray(dst, d0 + 15 * ds);
    }

    /** Bias of channels [co0, co0 + VL) as a vector (zero past cout, or everywhere without a bias). */
    private static FloatVector biasVector(float[] bias, int co0, int cout) {
        if (bias == null) {
            return FloatVector.zero(S);
        }
        if (co0 + VL <= cout) {
            return FloatVector.fromArray(S, bias, co0);
        }
        VectorMask<Float> m = S.indexInRange(co0, cout);
        return FloatVector.fromArray(S, bias, co0, m);
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /** Per-thread buffers, grown on demand and then reused. */
    private static final class Scratch {
        final float[] tmp = new float[36 * VL + 256];
        private float[] v = new float[0];
        private float[] m = new float[0];
        private float[] plane = new float[0];
        private float[] stage = new float[0];
        private int[] idx = new int[0];
        private int idxTilesX = -1;
        private int idxTiles = -1;
        private int idxTile = -1;
        private int idxWp = -1;

        float[] v(int size) {
            if (v.length < size) {
                v = new float[size];
            }
            return v;
        }

        float[] m(int size) {
            if (m.length < size) {
                m = new float[size];
            }
            return m;
        }

        float[] plane(int size) {
            if (plane.length < size) {
                plane = new float[size];
            }
            return plane;
        }

        float[] stage(int size) {
            if (stage.length < size) {
                stage = new float[size];
            }
            return stage;
        }

        /** Gather offsets of each tile's top-left corner in the padded plane; padding tiles point at tile 0. */
        int[] index(int tilesX, int tiles, int tp, int m, int wp) {
            if (tilesX != idxTilesX || tiles != idxTiles || m != idxTile || wp != idxWp || idx.length < tp) {
                if (idx.length < tp) {
                    idx = new int[tp];
                }
                for (int t = 0; t < tp; t++) {
                    idx[t] = t < tiles ? (t / tilesX) * m * wp + (t % tilesX) * m : 0;
                }
                idxTilesX = tilesX;
                idxTiles = tiles;
                idxTile = m;
                idxWp = wp;
            }
            return idx;
        }
    }
}
