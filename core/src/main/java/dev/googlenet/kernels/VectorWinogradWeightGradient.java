package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;

import java.util.Arrays;

import static dev.googlenet.kernels.VectorWinograd3x3.S;
import static dev.googlenet.kernels.VectorWinograd3x3.VL;
import static dev.googlenet.kernels.VectorWinograd3x3.ceilDiv;

/**
 * The weight gradient of a 3×3, stride 1, padding 1 convolution by Winograd's F(m×m, 3×3), m = 2 or 4: the
 * forward's algorithm transposed. The forward computes each m×m output tile as {@code Y_t = Aᵀ [U ⊙ V_t] A} with
 * {@code U = G g Gᵀ} and {@code V_t = Bᵀ d_t B}, so
 * <pre>  dL/dg = Gᵀ [ Σ_t (A dY_t Aᵀ) ⊙ V_t ] G</pre>
 * The sum over tiles is α² GEMMs (α = m + 2), one per Winograd point ξ, whose k runs over the tiles of a group of
 * images: {@code dU[ξ][ci][co] = Σ_t V[ξ][t][ci] · W[ξ][t][co]} with {@code W_t = A dY_t Aᵀ}. Per output pixel
 * that is α²/m² multiply-adds where im2col + GEMM needs 9: 2.25× fewer for F(2×2), 4× for F(4×4) on maps the
 * tiles cover exactly, and no 9-fold unfolding of the input through memory. Input channels are the GEMM's rows
 * and output channels its columns: GoogLeNet's 3×3 convolutions widen, so the wider side fills the 64-wide
 * panels.
 *
 * <p>Images are split into one chunk per thread; each chunk sums its own dU over its image groups, and the chunks'
 * sums are added in chunk order: deterministic for a given thread count. Buffers are kept between calls.
 *
 * <p>The Vector API implementation behind {@link WinogradWeightGradient}, which checks arguments and dispatches
 * here (this class is loaded only when the vector kernels run).
 */
final class VectorWinogradWeightGradient {
    /** Tiles per group of images (the GEMMs' k): long enough for the GEMM, V and W of modest size. */
    static final int GROUP_TILES = 512;

    private final int groupTiles;
    /** Per chunk, its sum of dU[ξ][ci][co]; kept between calls. */
    private float[][] partials = new float[0][];

    VectorWinogradWeightGradient() {
        this(GROUP_TILES);
    }

    /** Image groups of about {@code groupTiles} tiles instead of {@link #GROUP_TILES}: for tuning runs and tests. */
    VectorWinogradWeightGradient(int groupTiles) {
        if (groupTiles < 1) {
            throw new IllegalArgumentException("tiles per image group must be at least 1, not " + groupTiles);
        }
        this.groupTiles = groupTiles;
    }

    /** {@link WinogradWeightGradient#accumulate} after its checks. */
    void accumulate(Parallel pool, Gemm gemm, float[] x, float[] dy, int n, int cin, int cout, int h, int w, int m,
                    float[] dw) {
        VectorWinograd3x3.Geometry g = VectorWinograd3x3.Geometry.of(h, w, m, cin, cout);
        // at least one group per thread; otherwise as many images as make up groupTiles tiles
        int perGroup = Math.max(1, Math.min(ceilDiv(n, pool.threads()), groupTiles / g.tiles()));
        int groups = ceilDiv(n, perGroup);
        int chunks = Math.min(groups, pool.threads());
        int coPad = g.coPad();
        int du = g.points() * cin * coPad;
        if (partials.length != chunks || partials[0].length != du) {
            partials = new float[chunks][du];
        }
        pool.parallelFor(chunks, c -> {
            int from = (int) ((long) groups * c / chunks), to = (int) ((long) groups * (c + 1) / chunks);
            for (int gi = from; gi < to; gi++) {
                int img0 = gi * perGroup;
                group(g, gemm, x, dy, img0, Math.min(perGroup, n - img0), perGroup, partials[c], gi > from);
            }
        });
        float[] sum = partials[0];
        for (int c = 1; c < chunks; c++) {
            float[] q = partials[c];
            for (int i = 0; i < du; i++) {
                sum[i] += q[i];
            }
        }
        VectorWinograd3x3.Scratch sc = VectorWinograd3x3.scratch();
        float[] stage = sc.stage(9 * coPad);
        float[][] gm = VectorWinogradTransforms.gFloat(m);
        for (int ci = 0; ci < cin; ci++) {
            filterGradient(sum, ci * coPad, cin * coPad, gm, coPad, stage, sc.tmp);
            for (int co = 0; co < cout; co++) {
                int d = (co * cin + ci) * 9;
                for (int k = 0; k < 9; k++) {
                    dw[d + k] += stage[k * coPad + co];
                }
            }
        }
    }

    /**
     * {@code Gᵀ dU G} (3×3) for one input channel and every output channel, vectorized over output channels:
     * {@code dU[ξ][co] = du[off + ξ*xiStride + co]}; result k = ky·3 + kx at {@code stage[k*coPad + co]};
     * {@code t}: 18·VL floats of scratch.
     */
    private static void filterGradient(float[] du, int off, int xiStride, float[][] gm, int coPad, float[] stage,
                                       float[] t) {
        int alpha = gm.length;
        for (int c = 0; c < coPad; c += VL) {
            for (int i = 0; i < alpha; i++) { // t[i][b] = (dU G)[i][b]
                FloatVector t0 = FloatVector.zero(S), t1 = t0, t2 = t0;
                for (int j = 0; j < alpha; j++) {
                    FloatVector u = FloatVector.fromArray(S, du, off + (i * alpha + j) * xiStride + c);
                    t0 = u.fma(FloatVector.broadcast(S, gm[j][0]), t0);
                    t1 = u.fma(FloatVector.broadcast(S, gm[j][1]), t1);
                    t2 = u.fma(FloatVector.broadcast(S, gm[j][2]), t2);
                }
                t0.intoArray(t, (3 * i) * VL);
                t1.intoArray(t, (3 * i + 1) * VL);
                t2.intoArray(t, (3 * i + 2) * VL);
            }
            for (int a = 0; a < 3; a++) {
                for (int b = 0; b < 3; b++) {
                    FloatVector r = FloatVector.zero(S);
                    for (int i = 0; i < alpha; i++) {
                        r = FloatVector.fromArray(S, t, (3 * i + b) * VL).fma(FloatVector.broadcast(S, gm[i][a]), r);
                    }
                    r.intoArray(stage, (a * 3 + b) * coPad + c);
                }
            }
        }
    }

    /** dU (+)= the contribution of images [img0, img0+count), on this thread (groups hold up to perGroup images). */
    private static void group(VectorWinograd3x3.Geometry g, Gemm gemm, float[] x, float[] dy, int img0, int count,
                              int perGroup, float[] du, boolean accumulate) {
        VectorWinograd3x3.Scratch s = VectorWinograd3x3.scratch();
        int cinPad = g.cinPad(), coPad = g.coPad(), tiles = g.tiles(), hw = g.h() * g.w(), points = g.points();
        int vStride = perGroup * tiles * cinPad, wStride = perGroup * tiles * coPad;
        float[] v = s.v(points * vStride);
        float[] wg = s.m(points * wStride);
        for (int i = 0; i < count; i++) {
            int img = img0 + i;
            for (int cb = 0; cb < cinPad / VL; cb++) {
                VectorWinograd3x3.inputBlock(x, img * g.cin() * hw, g, v, i * tiles, vStride, cb, 0, g.tilesY());
            }
            for (int cb = 0; cb < coPad / VL; cb++) {
                gradientBlock(s, dy, img * g.cout() * hw, g, wg, i * tiles, wStride, cb);
            }
        }
        int k = count * tiles;
        for (int xi = 0; xi < points; xi++) {
            gemm.sgemm(true, false, g.cin(), g.cout(), k, v, xi * vStride, cinPad, wg, xi * wStride, coPad,
                    accumulate ? 1f : 0f, du, xi * g.cin() * coPad, coPad);
        }
    }

    /**
     * W = A dY Aᵀ of every m×m tile of one image's output gradient, for channel block cb (VL channels): each band
     * of m rows is transposed pixel-major into {@code [row][x][VL]} (zero past the map's edge), then read by tiles.
     */
    private static void gradientBlock(VectorWinograd3x3.Scratch s, float[] dy, int off, VectorWinograd3x3.Geometry g,
                                      float[] wg, int tBase, int xiStride, int cb) {
        int m = g.m(), c0 = cb * VL, nch = Math.min(VL, g.cout() - c0), hw = g.h() * g.w();
        int sk = g.tilesX() * m * VL;
        float[] buf = s.plane(m * sk);
        // short rows: the whole plane block transposed as one run of pixels (see VectorWinograd3x3.loadPixels)
        float[] flat = VectorWinograd3x3.pixelRuns(g.w(), nch) ? s.flat(hw * VL) : null;
        if (flat != null) {
            VectorWinograd3x3.loadPixels(dy, off + c0 * hw, hw, 0, hw, flat);
        }
        for (int ty = 0; ty < g.tilesY(); ty++) {
            Arrays.fill(buf, 0, m * sk, 0f);
            for (int r = 0, y = m * ty; r < m && y < g.h(); r++, y++) {
                if (flat != null) {
                    System.arraycopy(flat, y * g.w() * VL, buf, r * sk, g.w() * VL);
                } else {
                    VectorWinograd3x3.loadRow(dy, off + c0 * hw + y * g.w(), hw, nch, g.w(), buf, r * sk);
                }
            }
            for (int tx = 0; tx < g.tilesX(); tx++) {
                int t = tBase + ty * g.tilesX() + tx;
                if (m == 2) {
                    VectorWinogradTransforms.outputGradient2(buf, m * tx * VL, sk, VL, wg, t * g.coPad() + c0,
                            xiStride);
                } else {
                    VectorWinogradTransforms.outputGradient4(buf, m * tx * VL, sk, VL, s.tmp, wg, t * g.coPad() + c0,
                            xiStride);
                }
            }
        }
    }
}
