package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * 3×3, stride 1, padding 1 convolution of NCHW float32 images by Winograd's minimal filtering F(m×m, 3×3), for
 * inference: m = 4 (6×6 tiles, 4× fewer multiplies than direct convolution) or m = 2 (4×4 tiles, 2.25×).
 *
 * <p>Everything is vectorized over channels, so vector lanes never depend on the image size. Tiles t are
 * numbered row-major over the image. Per image, on the engine's {@link Parallel} pool:
 * <ol>
 *   <li><b>input transform</b>, (block of VL input channels, tile rows) over tasks: the rows are transposed
 *       16×16 in registers into a zero-bordered pixel-major buffer {@code [row][x][VL channels]}, from which
 *       each tile's α×α patch d is read with contiguous loads: {@code V[ξ][t][ci] = (Bᵀ d B)[ξ]};</li>
 *   <li><b>α² GEMMs</b> {@code M[ξ][t][co] = Σ_ci V[ξ][t][ci] · U[ξ][ci][co]} (tiles × input channels ×
 *       output channels, see {@link VectorWinogradGemm}) <b>fused with the output transform</b>
 *       {@code Y = Aᵀ M A} + bias, ReLU: a task takes a group of {@link #GROUP} tiles and one panel of 64
 *       output channels, runs its α² GEMMs into a per-thread M (which stays in L2) and transforms it; results
 *       are staged pixel-major per tile row and transposed 16×16 in registers into the NCHW output rows.
 *       Images with few tiles (below {@link #SPLIT_BELOW}) run the GEMMs as (ξ, panel) tasks and the output
 *       transform as a separate phase instead, for more tasks.</li>
 * </ol>
 * Right and bottom edges: tiles past the image read zeros and their outputs are not stored. Every output value
 * is computed by the same sequence of operations whatever the thread count or task order, so results are
 * bitwise identical across runs and thread counts.
 *
 * <p>Scratch (V, M, staging buffers) is per thread and reused: steady-state calls allocate only task closures.
 * Accuracy (measured by {@code WinogradAccuracy} on GoogLeNet's shapes): F(2,3) is as exact as im2col + GEMM
 * (rms error ≈ 3e-7 of the output's rms); F(4,3) is about 4× worse in rms (≈ 1.2e-6) and 10× in max error
 * (≈ 5e-6 of max |y|): its transforms have entries up to 8 and 1/24.
 *
 * <p>Memory: U holds α² floats per filter, 16/9 (F2) or 4 (F4) times the 3×3 weights; at batch 1 a layer's U
 * is streamed from memory once per image, which makes F4 bandwidth-bound on small images with many channels.
 *
 *
 * <p>The Vector API implementation behind {@link Winograd3x3}, which checks arguments and dispatches here (this
 * class is loaded only when the vector kernels run).
 */
final class VectorWinograd3x3 {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** This thread's buffers, shared with {@link VectorWinogradWeightGradient} (never used by both in one call). */
    static Scratch scratch() {
        return SCRATCH.get();
    }
    /** Below this many multiply-adds (of the Winograd GEMMs) a phase is not split among threads. */
    private static final long MIN_PARALLEL_WORK = 1L << 16;

    private VectorWinograd3x3() {
    }

    /** Output channels padded to whole vectors, as U stores them. */
    static int coPad(int cout) {
        return roundUp(cout, VL);
    }

    /**
     * {@link Winograd3x3#transformWeights(Parallel, float[], int, int, int, int, boolean, Winograd3x3.Weights)}
     * after its checks: U in panels of output channels, {@code reuse} rewritten when it has the shape.
     */
    static Winograd3x3.Weights transformWeights(Parallel pool, float[] w, int wOff, int cout, int cin, int tile,
                                                boolean flipped, Winograd3x3.Weights reuse) {
        int in = flipped ? cout : cin, out = flipped ? cin : cout;
        int coPad = coPad(out);
        Winograd3x3.Weights u = reuse != null && reuse.reusableFor(tile, in, out, false) ? reuse
                : new Winograd3x3.Weights(tile, in, out, coPad, new float[(tile + 2) * (tile + 2) * in * coPad], false);
        VectorWinogradTransforms.filtersInto(pool, w, wOff, cout, cin, flipped, tile, u.u, coPad);
        return u;
    }

    /** {@link Winograd3x3#forward} after its checks, with the tuning constants. */
    static void forward(Parallel pool, float[] x, int xOff, int h, int w, Winograd3x3.Weights u, float[] bias,
                        boolean relu, float[] out, int outOff, int outChannelOffset) {
        image(pool, x, xOff, h, w, u, bias, relu, out, outOff, outChannelOffset, GROUP, SPLIT_BELOW);
    }

    /** {@link Winograd3x3#forwardBatch} after its checks, with the tuning constants. */
    static void forwardBatch(Parallel pool, float[] x, int n, int cin, int h, int w, Winograd3x3.Weights u,
                             float[] bias, boolean relu, float[] out, int outTotalChannels, int outChannelOffset) {
        forwardBatch(pool, x, n, cin, h, w, u, bias, relu, out, outTotalChannels, outChannelOffset, GROUP,
                SPLIT_BELOW);
    }

    /**
     * As above with other tuning: {@code group} tiles per fused task (a positive multiple of 6) and, on one
     * thread, the fused phase only for images of at least {@code splitBelow} tiles. For tuning runs and tests;
     * results do not depend on either.
     */
    static void forwardBatch(Parallel pool, float[] x, int n, int cin, int h, int w, Winograd3x3.Weights u,
                             float[] bias, boolean relu, float[] out, int outTotalChannels, int outChannelOffset,
                             int group, int splitBelow) {
        if (group < 6 || group % 6 != 0) {
            throw new IllegalArgumentException("Winograd tile group must be a positive multiple of 6, not " + group);
        }
        int inImage = cin * h * w;
        int outImage = outTotalChannels * h * w;
        if (n == 1 || pool.threads() == 1) {
            for (int i = 0; i < n; i++) {
                image(pool, x, i * inImage, h, w, u, bias, relu, out, i * outImage, outChannelOffset, group,
                        splitBelow);
            }
            return;
        }
        Geometry g = Geometry.of(h, w, u);
        if (g.tiles <= SET_TILES / 2) {
            // small maps: a few images per task, their tiles in one GEMM per Winograd point, so that a thread
            // reads the filters once for them all instead of once per image
            int perSet = Math.min(ceilDiv(n, pool.threads()), SET_TILES / g.tiles), sets = ceilDiv(n, perSet);
            pool.parallelFor(sets, t -> imagesTogether(x, t * perSet, Math.min(n, (t + 1) * perSet), inImage, g, u,
                    bias, relu, out, outImage, outChannelOffset));
        } else {
            // an image per task, each on its task's thread alone
            pool.parallelFor(n, i -> image(ALONE, x, i * inImage, h, w, u, bias, relu, out, i * outImage,
                    outChannelOffset, group, splitBelow));
        }
    }

    /** Most tiles of several images that {@link #imagesTogether} multiplies at once. */
    static final int SET_TILES = 64;

    /**
     * Images [from, to) on this thread, small maps only (their tiles together at most {@link #SET_TILES}): the input
     * transforms of all into one V, then per channel panel one GEMM per Winograd point over all their tiles, and each
     * image's output transform. The filters are read once per panel for the set, not once per image; each output is
     * the same sum as one image alone gives, bit for bit.
     */
    private static void imagesTogether(float[] x, int from, int to, int inImage, Geometry g, Winograd3x3.Weights u,
                                       float[] bias, boolean relu, float[] out, int outImage, int outChannelOffset) {
        int rows = (to - from) * g.tiles;
        float[] v = SCRATCH.get().v(g.points * rows * g.cinPad);
        for (int j = 0; j < to - from; j++) {
            for (int cb = 0; cb < g.cinPad / VL; cb++) {
                inputBlock(x, (from + j) * inImage, g, v, j * g.tiles, rows * g.cinPad, cb, 0, g.tilesY);
            }
        }
        for (int p = 0; p < g.panels; p++) {
            int width = g.panelWidth(p), ldm = g.points * width, uBase = g.panelStart(p) * g.points * g.cin;
            float[] mm = SCRATCH.get().mloc(rows * ldm);
            // M tile-major, [t][ξ][width], as fusedTiles lays it out
            for (int xi = 0; xi < g.points; xi++) {
                VectorWinogradGemm.gemm(g.cin, rows, v, xi * rows * g.cinPad, g.cinPad, 1, u.u,
                        uBase + xi * g.cin * width, width, width / VL, mm, xi * width, ldm);
            }
            for (int j = 0; j < to - from; j++) {
                outputTiles(g, mm, j * g.tiles * ldm, width, ldm, 0, width, 0, g.tiles, g.panelStart(p), bias, relu,
                        out, (from + j) * outImage, outChannelOffset);
            }
        }
    }

    /** Sizes of one image's tiling. */
    record Geometry(int h, int w, int m, int alpha, int points, int tilesX, int tilesY, int tiles, int wp,
                    int cin, int cinPad, int cout, int coPad, int panels) {
        static Geometry of(int h, int w, Winograd3x3.Weights u) {
            return of(h, w, u.tile, u.cin, u.cout);
        }

        /** F(m×m, 3×3) of cin → cout channels on h×w maps. */
        static Geometry of(int h, int w, int m, int cin, int cout) {
            int tilesX = (w + m - 1) / m;
            int tilesY = (h + m - 1) / m;
            int coPad = roundUp(cout, VL);
            return new Geometry(h, w, m, m + 2, (m + 2) * (m + 2), tilesX, tilesY, tilesX * tilesY,
                    tilesX * m + 2, cin, roundUp(cin, VL), cout, coPad, VectorWinogradGemm.panels(coPad));
        }

        /** This geometry, if one image's V and M (α² points × tiles × padded channels) fit in an array. */
        Geometry checked() {
            if ((long) points * tiles * Math.max(cinPad, coPad) > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("image too large for Winograd3x3: " + cin + "x" + h + "x" + w
                        + " -> " + cout);
            }
            return this;
        }

        /** First output channel of panel p. */
        int panelStart(int p) {
            return VectorWinogradGemm.panelStart(coPad, p);
        }

        /** Width (floats, whole vectors, at most 64) of panel p. */
        int panelWidth(int p) {
            return panelStart(p + 1) - panelStart(p);
        }
    }

    /** Tiles per group in the fused GEMM + output phase: a multiple of the micro-kernel's 6 rows. */
    static final int GROUP = 30;
    /** On one thread, images with fewer tiles than this run the GEMMs and the output transform as two phases. */
    static final int SPLIT_BELOW = 2 * GROUP;

    /** The phases for one image (inline when called from inside a task of the same pool). */
    private static void image(Parallel pool, float[] x, int xOff, int h, int w, Winograd3x3.Weights u, float[] bias,
                              boolean relu, float[] out, int outOff, int outChannelOffset, int group,
                              int splitBelow) {
        Geometry g = Geometry.of(h, w, u).checked();
        long vSize = (long) g.points * g.tiles * g.cinPad;
        long mSize = (long) g.points * g.tiles * g.coPad;
        boolean parallel = pool.threads() > 1
                && (long) g.points * g.tiles * g.cin * g.coPad >= MIN_PARALLEL_WORK;
        // On several threads, neither V nor M is shared: a buffer the cores take turns writing and reading moves
        // between their caches line by line; on two threads that cost more than the input transform itself.
        // Split by output channels when the filters (U, a row of coPad per point and input channel) outweigh what
        // every thread's whole V would take (a row of tiles): then each thread streams half of U, not all of it
        // (batch 1 on 14×14 and 7×7 maps); else by bands of tile rows. Only with F(2×2): every thread then repeats
        // the whole input transform, and F(4×4)'s costs more than reading all of U (batch 1 at 28×28 ran faster
        // on bands; README, Benchmarks).
        if (parallel && g.m == 2 && g.coPad > g.tiles * pool.threads() && g.panels >= pool.threads()) {
            panels(pool, x, xOff, g, u, group, bias, relu, out, outOff, outChannelOffset);
            return;
        }
        if (parallel) {
            bands(pool, x, xOff, g, u, group, bias, relu, out, outOff, outChannelOffset);
            return;
        }
        // one thread: the input transform, then the GEMMs and output transform, fused per (tile group, channel
        // panel) on large maps, as two phases on small ones
        float[] v = SCRATCH.get().v((int) vSize);
        transformInput(x, xOff, g, v, 0, g.tilesY);
        if (g.tiles >= splitBelow) {
            for (int t = 0, groups = ceilDiv(g.tiles, group); t < groups * g.panels; t++) {
                fusedTask(g, v, 0, g.tiles, u, t / g.panels, t % g.panels, group, bias, relu, out, outOff,
                        outChannelOffset);
            }
            return;
        }
        float[] mm = SCRATCH.get().m((int) mSize);
        for (int xi = 0; xi < g.points; xi++) {
            for (int p = 0; p < g.panels; p++) {
                int width = g.panelWidth(p);
                VectorWinogradGemm.gemm(g.cin, g.tiles, v, xi * g.tiles * g.cinPad, g.cinPad, 1,
                        u.u, g.panelStart(p) * g.points * g.cin + xi * g.cin * width, width, width / VL,
                        mm, g.panelStart(p) * g.points * g.tiles + xi * g.tiles * width, width);
            }
        }
        for (int p = 0; p < g.panels; p++) {
            int width = g.panelWidth(p);
            outputTiles(g, mm, g.panelStart(p) * g.points * g.tiles, g.tiles * width, width, 0, width, 0, g.tiles,
                    g.panelStart(p), bias, relu, out, outOff, outChannelOffset);
        }
    }

    /** A pool of the calling thread alone, for an image whose task has a thread to itself. */
    private static final Parallel ALONE = new Parallel(1);

    /**
     * One image on several threads: a band of tiles per thread, as equal as tiles go (on a 28×28 map's 7 tile rows,
     * whole rows would give one thread 4 and the other 3). A task transforms the tile rows its band touches into
     * its own V (a row two bands share is transformed by both), then runs the GEMMs and output transform of every
     * channel panel on its tiles, group by group, into its own M. Each thread reads all of U (the filters) for its
     * band; more bands per thread (for balance) measured slower on GoogLeNet's layers, from 7×7 to 56×56.
     */
    private static void bands(Parallel pool, float[] x, int xOff, Geometry g, Winograd3x3.Weights u, int group,
                              float[] bias, boolean relu, float[] out, int outOff, int outChannelOffset) {
        int bands = Math.min(g.tiles, pool.threads());
        pool.parallelFor(bands, b -> {
            int first = g.tiles * b / bands, end = g.tiles * (b + 1) / bands;
            int ty0 = first / g.tilesX, ty1 = ceilDiv(end, g.tilesX);
            int vt0 = ty0 * g.tilesX, vTiles = (ty1 - ty0) * g.tilesX;
            float[] v = SCRATCH.get().v(g.points * vTiles * g.cinPad);
            transformInput(x, xOff, g, v, ty0, ty1);
            for (int t = 0, groups = ceilDiv(end - first, group); t < groups * g.panels; t++) {
                int t0 = first + t / g.panels * group;
                fusedTiles(g, v, vt0, vTiles, u, t0, Math.min(end, t0 + group), t % g.panels, bias, relu, out,
                        outOff, outChannelOffset);
            }
        });
    }

    /**
     * One image on several threads, split by output channels: every thread transforms the whole input into its own
     * V (no V is shared, as in {@link #bands}), then claims (tile group, channel panel) tasks until none is left,
     * so that each reads only its share of U. Each task computes what it would on one thread: results are the same
     * bit for bit. Measured at batch 1 in the README (Benchmarks).
     */
    private static void panels(Parallel pool, float[] x, int xOff, Geometry g, Winograd3x3.Weights u, int group,
                               float[] bias, boolean relu, float[] out, int outOff, int outChannelOffset) {
        Runnable work = claimed(x, xOff, g, u, group, bias, relu, out, outOff, outChannelOffset);
        pool.parallelFor(pool.threads(), b -> work.run());
    }

    /**
     * {@link Winograd3x3#shared}: one image's (tile group, channel panel) tasks, claimed by every thread that
     * runs the result, each into its own V ({@link #panels}).
     */
    static Runnable shared(float[] x, int xOff, int h, int w, Winograd3x3.Weights u, float[] bias, boolean relu,
                           float[] out, int outOff, int outChannelOffset) {
        return claimed(x, xOff, Geometry.of(h, w, u).checked(), u, GROUP, bias, relu, out, outOff, outChannelOffset);
    }

    /** The tasks of {@link #panels}: each run of the result claims tasks until none is left. */
    private static Runnable claimed(float[] x, int xOff, Geometry g, Winograd3x3.Weights u, int group, float[] bias,
                                    boolean relu, float[] out, int outOff, int outChannelOffset) {
        int groups = ceilDiv(g.tiles, group), work = groups * g.panels;
        AtomicInteger next = new AtomicInteger();
        return () -> {
            float[] v = null;
            for (int t; (t = next.getAndIncrement()) < work; ) {
                // V only once this thread has a task: a busy pool runs these loops one after another on the
                // caller, and the later ones then find none
                if (v == null) {
                    v = SCRATCH.get().v(g.points * g.tiles * g.cinPad);
                    transformInput(x, xOff, g, v, 0, g.tilesY);
                }
                // panel-major: a thread's consecutive tasks reuse one panel of U
                fusedTask(g, v, 0, g.tiles, u, t % groups, t / groups, group, bias, relu, out, outOff,
                        outChannelOffset);
            }
        };
    }

    /** Input transform of tile rows [ty0, ty1), all channel blocks, into V numbering their tiles from 0. */
    private static void transformInput(float[] x, int xOff, Geometry g, float[] v, int ty0, int ty1) {
        int tiles = (ty1 - ty0) * g.tilesX;
        for (int cb = 0; cb < g.cinPad / VL; cb++) {
            inputBlock(x, xOff, g, v, -ty0 * g.tilesX, tiles * g.cinPad, cb, ty0, ty1);
        }
    }

    /**
     * Input transform of channel block cb (VL channels) for tile rows [ty0, ty1): the rows they cover are
     * transposed pixel-major into a zero-bordered buffer {@code buf[row][x][VL]}, then each tile's α×α patch is
     * read with contiguous vector loads. V may hold several images or a band of one: this image's tiles are
     * numbered from {@code tBase}, and V's Winograd points lie {@code xiStride} apart.
     */
    static void inputBlock(float[] x, int xOff, Geometry g, float[] v, int tBase, int xiStride, int cb, int ty0,
                           int ty1) {
        if (ty0 >= ty1) {
            return;
        }
        Scratch s = SCRATCH.get();
        int m = g.m;
        int wp = g.wp;
        int rows = (ty1 - ty0) * m + 2;
        float[] buf = s.plane(rows * wp * VL);
        Arrays.fill(buf, 0, rows * wp * VL, 0f);
        int c0 = cb * VL;
        int nch = Math.min(VL, g.cin - c0);
        int hw = g.h * g.w;
        if (pixelRuns(g.w, nch)) {
            // rows too short for 16×16 blocks: transpose the band's pixels as one run, then place its rows
            int y0 = Math.max(0, ty0 * m - 1), y1 = Math.min(g.h, ty0 * m - 1 + rows);
            float[] flat = s.flat(Math.max(0, y1 - y0) * g.w * VL);
            loadPixels(x, xOff + c0 * hw, hw, y0 * g.w, y1 * g.w, flat);
            for (int y = y0; y < y1; y++) {
                System.arraycopy(flat, (y - y0) * g.w * VL, buf, ((y - ty0 * m + 1) * wp + 1) * VL, g.w * VL);
            }
        } else {
            for (int pr = 0; pr < rows; pr++) {
                int y = ty0 * m - 1 + pr;
                if (y >= 0 && y < g.h) {
                    loadRow(x, xOff + c0 * hw + y * g.w, hw, nch, g.w, buf, (pr * wp + 1) * VL);
                }
            }
        }
        float[] tmp = s.tmp;
        int sk = wp * VL;
        for (int ty = ty0; ty < ty1; ty++) {
            int rowBase = (ty - ty0) * m * sk;
            for (int tx = 0; tx < g.tilesX; tx++) {
                int t = tBase + ty * g.tilesX + tx;
                int base = rowBase + tx * m * VL;
                if (m == 4) {
                    VectorWinogradTransforms.input4(buf, base, sk, VL, tmp, v, t * g.cinPad + c0, xiStride);
                } else {
                    VectorWinogradTransforms.input2(buf, base, sk, VL, v, t * g.cinPad + c0, xiStride);
                }
            }
        }
    }

    /** Whether rows w pixels wide of nch channels go through {@link #loadPixels} rather than {@link #loadRow}. */
    static boolean pixelRuns(int w, int nch) {
        return w < 16 && nch == 16 && VL == 16;
    }

    /**
     * Pixels [p0, p1) of 16 channel planes ({@code x[src + l·hw + p]}) pixel-major into {@code flat[(p − p0)·16 + l]}.
     * A small map's rows (7, 14 pixels) are too short for {@link #loadRow}'s 16×16 blocks, which left it a scalar
     * loop; a plane's pixels are contiguous across rows, so blocks of 16 pixels run over several rows here.
     */
    static void loadPixels(float[] x, int src, int hw, int p0, int p1, float[] flat) {
        assert VL == 16;
        int p = p0;
        for (; p + 16 <= p1; p += 16) {
            transpose16(x, src + p, hw, flat, (p - p0) * 16, 16);
        }
        for (; p < p1; p++) {
            for (int l = 0; l < 16; l++) {
                flat[(p - p0) * 16 + l] = x[src + l * hw + p];
            }
        }
    }

    /** One image row of nch channels ({@code x[src + l·hw + (0..w)]}) into {@code buf[dst + px·VL + l]}. */
    static void loadRow(float[] x, int src, int hw, int nch, int w, float[] buf, int dst) {
        int x0 = 0;
        if (VL == 16 && nch == 16) {
            for (; x0 + 16 <= w; x0 += 16) {
                transpose16(x, src + x0, hw, buf, dst + x0 * 16, 16);
            }
        }
        for (int l = 0; l < nch; l++) {
            for (int px = x0; px < w; px++) {
                buf[dst + px * VL + l] = x[src + l * hw + px];
            }
        }
    }

    /**
     * GEMMs of tile group gi (of the tiles from vt0 that V holds, numbered from 0 there) for channel panel p, then
     * their output transform, on this thread.
     */
    private static void fusedTask(Geometry g, float[] v, int vt0, int vTiles, Winograd3x3.Weights u, int gi, int p,
                                  int group, float[] bias, boolean relu, float[] out, int outOff,
                                  int outChannelOffset) {
        int t0 = vt0 + gi * group;
        fusedTiles(g, v, vt0, vTiles, u, t0, Math.min(vt0 + vTiles, t0 + group), p, bias, relu, out, outOff,
                outChannelOffset);
    }

    /** GEMMs of tiles [t0, t1) (V holding vTiles tiles from vt0, which include them) for panel p, then their output. */
    private static void fusedTiles(Geometry g, float[] v, int vt0, int vTiles, Winograd3x3.Weights u, int t0, int t1,
                                   int p, float[] bias, boolean relu, float[] out, int outOff, int outChannelOffset) {
        int rows = t1 - t0;
        int width = g.panelWidth(p);
        float[] mm = SCRATCH.get().mloc(g.points * rows * width);
        int uBase = g.panelStart(p) * g.points * g.cin;
        // M tile-major, [t][ξ][width]: the output transform then reads each tile's α² vectors from one block
        int ldm = g.points * width;
        for (int xi = 0; xi < g.points; xi++) {
            VectorWinogradGemm.gemm(g.cin, rows, v, (xi * vTiles + t0 - vt0) * g.cinPad, g.cinPad, 1,
                    u.u, uBase + xi * g.cin * width, width, width / VL, mm, xi * width, ldm);
        }
        outputTiles(g, mm, 0, width, ldm, t0, width, t0, t1, g.panelStart(p), bias, relu, out, outOff,
                outChannelOffset);
    }

    /**
     * Output transform of tiles [t0, t1) for the channels [co0, co0 + width) of one panel: M[ξ][t][c] is at
     * {@code mm[mBase + ξ·xiStride + (t − tm)·tileStride + c − co0]}. Each run of tiles within a tile row is
     * staged pixel-major and then transposed into the NCHW output rows.
     */
    private static void outputTiles(Geometry g, float[] mm, int mBase, int xiStride, int tileStride, int tm,
                                    int width, int t0,
                                    int t1, int co0, float[] bias, boolean relu, float[] out, int outOff,
                                    int outChannelOffset) {
        Scratch s = SCRATCH.get();
        float[] tmp = s.tmp;
        int m = g.m;
        int hw = g.h * g.w;
        for (int t = t0; t < t1; ) {
            int ty = t / g.tilesX;
            int txa = t % g.tilesX;
            int txb = Math.min(g.tilesX, txa + (t1 - t));
            int segPixels = (txb - txa) * m;
            int yRow = roundUp(segPixels, VL) * VL;
            float[] stage = s.stage(m * yRow);
            int xStart = txa * m;
            int pixels = Math.min(segPixels, g.w - xStart);
            for (int cl = 0; cl < width && co0 + cl < g.cout; cl += VL) {
                int c = co0 + cl;
                biasLanes(bias, c, g.cout, s.biasLanes);
                for (int tx = txa; tx < txb; tx++) {
                    int at = mBase + (ty * g.tilesX + tx - tm) * tileStride + cl;
                    if (m == 4) {
                        VectorWinogradTransforms.output4(mm, at, xiStride, s.biasLanes, relu, tmp, stage,
                                (tx - txa) * 4 * VL, yRow);
                    } else {
                        VectorWinogradTransforms.output2(mm, at, xiStride, s.biasLanes, relu, stage,
                                (tx - txa) * 2 * VL, yRow);
                    }
                }
                int channels = Math.min(VL, g.cout - c);
                int base = outOff + (outChannelOffset + c) * hw + xStart;
                for (int yi = 0; yi < m && ty * m + yi < g.h; yi++) {
                    storeRow(stage, yi * yRow, out, base + (ty * m + yi) * g.w, hw, pixels, channels, tmp);
                }
            }
            t += txb - txa;
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
            if (channels == 16 && x0 + 16 <= w) {
                transpose16(stage, at + x0 * 16, 16, out, rowBase + x0, hw);
            } else { // a partial chunk (or fewer channels): transposed into tmp, then masked row stores
                transpose16(stage, at + x0 * 16, 16, tmp, 0, 16);
                storeRows(tmp, out, rowBase + x0, hw, channels, S.indexInRange(0, Math.min(16, w - x0)));
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
     * Transposes the 16×16 block {@code src[so + r·ss + c]} into {@code dst[d0 + c·ds + r]} by four rounds of
     * two-vector permutes swapping the off-diagonal 8×8, 4×4, 2×2 and 1×1 blocks.
     */
    static void transpose16(float[] src, int so, int ss, float[] dst, int d0, int ds) {
        FloatVector r0 = FloatVector.fromArray(S, src, so);
        FloatVector r1 = FloatVector.fromArray(S, src, so + 1 * ss);
        FloatVector r2 = FloatVector.fromArray(S, src, so + 2 * ss);
        FloatVector r3 = FloatVector.fromArray(S, src, so + 3 * ss);
        FloatVector r4 = FloatVector.fromArray(S, src, so + 4 * ss);
        FloatVector r5 = FloatVector.fromArray(S, src, so + 5 * ss);
        FloatVector r6 = FloatVector.fromArray(S, src, so + 6 * ss);
        FloatVector r7 = FloatVector.fromArray(S, src, so + 7 * ss);
        FloatVector r8 = FloatVector.fromArray(S, src, so + 8 * ss);
        FloatVector r9 = FloatVector.fromArray(S, src, so + 9 * ss);
        FloatVector r10 = FloatVector.fromArray(S, src, so + 10 * ss);
        FloatVector r11 = FloatVector.fromArray(S, src, so + 11 * ss);
        FloatVector r12 = FloatVector.fromArray(S, src, so + 12 * ss);
        FloatVector r13 = FloatVector.fromArray(S, src, so + 13 * ss);
        FloatVector r14 = FloatVector.fromArray(S, src, so + 14 * ss);
        FloatVector r15 = FloatVector.fromArray(S, src, so + 15 * ss);
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

    /**
     * Rows {@code tmp[l·16 + lanes of m]} to {@code out[base + l·hw + ...]} for l below rows. Kept apart from
     * {@link #transpose16}: a masked copy of that method was too big for C2 to compile its vector operations
     * (selectFrom and masked stores ran as calls, a third of the time on 7×7 images).
     */
    private static void storeRows(float[] tmp, float[] out, int base, int hw, int rows, VectorMask<Float> m) {
        for (int l = 0; l < rows; l++) {
            FloatVector.fromArray(S, tmp, l * 16).intoArray(out, base + l * hw, m);
        }
    }

    /**
     * The bias of channels [co0, co0 + VL) (co0 < cout) into {@code lanes}, zeros past {@code cout} (or without a
     * bias). Plain copies, no vector: a vector returned from a call the JIT does not inline is boxed, an allocation
     * per call (a server whose JIT made that choice allocated gigabytes a minute here, and its young collections
     * copied the requests in flight each time).
     */
    private static void biasLanes(float[] bias, int co0, int cout, float[] lanes) {
        int n = bias == null ? 0 : Math.min(VL, cout - co0);
        if (n > 0) {
            System.arraycopy(bias, co0, lanes, 0, n);
        }
        Arrays.fill(lanes, n, VL, 0f);
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    static int roundUp(int x, int multiple) {
        return (x + multiple - 1) / multiple * multiple;
    }

    /** Per-thread buffers, grown on demand and then reused. */
    static final class Scratch {
        final float[] tmp = new float[36 * VL + 256];
        final float[] biasLanes = new float[VL];
        private float[] v = new float[0];
        private float[] m = new float[0];
        private float[] mloc = new float[0];
        private float[] plane = new float[0];
        private float[] flat = new float[0];
        private float[] stage = new float[0];

        float[] v(int size) {
            return v.length >= size ? v : (v = new float[size]);
        }

        float[] m(int size) {
            return m.length >= size ? m : (m = new float[size]);
        }

        float[] mloc(int size) {
            return mloc.length >= size ? mloc : (mloc = new float[size]);
        }

        float[] plane(int size) {
            return plane.length >= size ? plane : (plane = new float[size]);
        }

        float[] flat(int size) {
            return flat.length >= size ? flat : (flat = new float[size]);
        }

        float[] stage(int size) {
            return stage.length >= size ? stage : (stage = new float[size]);
        }
    }
}
