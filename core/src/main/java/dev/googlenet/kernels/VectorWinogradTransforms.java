package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The three linear transforms of Winograd F(m×m, 3×3) convolution (Lavin &amp; Gray), for m = 2 (α = 4) and
 * m = 4 (α = 6, interpolation points 0, ±1, ±2, ∞):
 * <ul>
 *   <li>filter: {@code U = G g Gᵀ} (α×α per 3×3 filter), vectorized over VL output channels (in float: training
 *       transforms every step; the double {@link #filtersReference} is what tests check it against);</li>
 *   <li>input: {@code V = Bᵀ d B} for an α×α input patch d, vectorized over VL input channels;</li>
 *   <li>output: {@code Y = Aᵀ M A} for an α×α block of GEMM results M, vectorized over VL output channels.</li>
 * </ul>
 * The Winograd point ξ = (i, j) is numbered {@code i*α + j}.
 */
final class VectorWinogradTransforms {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();

    private VectorWinogradTransforms() {
    }

    // ------------------------------------------------------------------ filter transform

    /** G for F(2, 3), α × 3. */
    private static final double[][] G2 = {
            {1, 0, 0},
            {0.5, 0.5, 0.5},
            {0.5, -0.5, 0.5},
            {0, 0, 1}};
    /** G for F(4, 3), α × 3. */
    private static final double[][] G4 = {
            {1.0 / 4, 0, 0},
            {-1.0 / 6, -1.0 / 6, -1.0 / 6},
            {-1.0 / 6, 1.0 / 6, -1.0 / 6},
            {1.0 / 24, 1.0 / 12, 1.0 / 6},
            {1.0 / 24, -1.0 / 12, 1.0 / 6},
            {0, 0, 1}};

    static double[][] g(int m) {
        return m == 2 ? G2 : G4;
    }

    /**
     * U from PyTorch-layout weights w[co][ci][3][3] at wOff, in the GEMM's panels of output channels: panel p
     * (channels [s, s + width), s = {@link VectorWinogradGemm#panelStart}) holds {@code [ξ][ci][width]} from
     * {@code s·α²·cin}; channels past cout are zero. The plain definition, in double: the reference for
     * {@link #filtersInto}.
     */
    static float[] filtersReference(float[] w, int wOff, int cout, int cin, int m, int coPad) {
        double[][] g = g(m);
        int alpha = m + 2;
        float[] u = new float[alpha * alpha * cin * coPad];
        double[][] tmp = new double[alpha][3];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                int f = wOff + (co * cin + ci) * 9;
                for (int i = 0; i < alpha; i++) { // tmp = G f
                    for (int c = 0; c < 3; c++) {
                        tmp[i][c] = g[i][0] * w[f + c] + g[i][1] * w[f + 3 + c] + g[i][2] * w[f + 6 + c];
                    }
                }
                for (int i = 0; i < alpha; i++) { // U = tmp Gᵀ
                    for (int j = 0; j < alpha; j++) {
                        double s = tmp[i][0] * g[j][0] + tmp[i][1] * g[j][1] + tmp[i][2] * g[j][2];
                        u[uIndex(alpha * alpha, cin, coPad, i * alpha + j, ci, co)] = (float) s;
                    }
                }
            }
        }
        return u;
    }

    /** Below this many filter values, a transform is not split among threads. */
    private static final long FILTER_GRAIN = 1 << 14;
    /** Per thread: the staged filters {@code [in][9][outPad]} of a range of input channels. */
    private static final ThreadLocal<float[][]> STAGE = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * U into {@code u} (α²·in·outPad floats, the layout of {@link #filtersReference}) for the filters of a 3×3
     * convolution with PyTorch-layout weights {@code w[wOut][wIn][3][3]} at {@code wOff}. Not {@code flipped}: the
     * convolution itself (in = wIn, out = wOut). {@code flipped}: the convolution that gives its input gradient,
     * {@code dX = conv(dY, W')} with {@code W'[ci][co] = W[co][ci]} turned by 180° (in = wOut, out = wIn).
     * Filters are staged as {@code [in][9][outPad]} and transformed VL output channels at a time; input channels
     * are spread over the pool.
     */
    static void filtersInto(Parallel pool, float[] w, int wOff, int wOut, int wIn, boolean flipped, int m,
                            float[] u, int outPad) {
        int in = flipped ? wOut : wIn, out = flipped ? wIn : wOut;
        int tasks = Math.min(in, pool.tasksFor((long) in * outPad * 9, FILTER_GRAIN));
        if (tasks <= 1) {
            filterRange(w, wOff, wIn, in, out, flipped, m, u, outPad, 0, in);
        } else {
            pool.parallelFor(tasks, t -> filterRange(w, wOff, wIn, in, out, flipped, m, u, outPad,
                    (int) ((long) in * t / tasks), (int) ((long) in * (t + 1) / tasks)));
        }
    }

    /** Input channels [i0, i1) of {@link #filtersInto}. */
    private static void filterRange(float[] w, int wOff, int wIn, int in, int out, boolean flipped, int m,
                                    float[] u, int outPad, int i0, int i1) {
        float[][] holder = STAGE.get();
        int size = (i1 - i0) * 9 * outPad;
        if (holder[0].length < size) {
            holder[0] = new float[size];
        }
        float[] st = holder[0];
        for (int i = i0; i < i1; i++) {
            for (int k = 0; k < 9; k++) {
                int row = ((i - i0) * 9 + k) * outPad;
                java.util.Arrays.fill(st, row + out, row + outPad, 0f); // padded output channels stay zero
                for (int o = 0; o < out; o++) {
                    // W'[o = ci][i = co][k] = W[co][ci][8 - k]
                    st[row + o] = flipped ? w[wOff + (i * wIn + o) * 9 + 8 - k] : w[wOff + (o * wIn + i) * 9 + k];
                }
            }
        }
        float[][] g = m == 2 ? G2F : G4F;
        int alpha = m + 2, points = alpha * alpha;
        for (int o0 = 0; o0 < outPad; o0 += VL) {
            int panel = panelOf(outPad, o0);
            int start = VectorWinogradGemm.panelStart(outPad, panel);
            int width = VectorWinogradGemm.panelStart(outPad, panel + 1) - start;
            for (int i = i0; i < i1; i++) {
                int f = (i - i0) * 9 * outPad + o0;
                FloatVector f0 = FloatVector.fromArray(S, st, f), f1 = FloatVector.fromArray(S, st, f + outPad);
                FloatVector f2 = FloatVector.fromArray(S, st, f + 2 * outPad);
                FloatVector f3 = FloatVector.fromArray(S, st, f + 3 * outPad);
                FloatVector f4 = FloatVector.fromArray(S, st, f + 4 * outPad);
                FloatVector f5 = FloatVector.fromArray(S, st, f + 5 * outPad);
                FloatVector f6 = FloatVector.fromArray(S, st, f + 6 * outPad);
                FloatVector f7 = FloatVector.fromArray(S, st, f + 7 * outPad);
                FloatVector f8 = FloatVector.fromArray(S, st, f + 8 * outPad);
                int base = start * points * in + o0 - start;
                for (int r = 0; r < alpha; r++) {
                    float a = g[r][0], b = g[r][1], c = g[r][2];
                    // row r of G·f: one vector per column of the filter
                    FloatVector t0 = f0.mul(a).add(f3.mul(b)).add(f6.mul(c));
                    FloatVector t1 = f1.mul(a).add(f4.mul(b)).add(f7.mul(c));
                    FloatVector t2 = f2.mul(a).add(f5.mul(b)).add(f8.mul(c));
                    for (int q = 0; q < alpha; q++) { // (G f Gᵀ)[r][q]
                        FloatVector v = t0.mul(g[q][0]).add(t1.mul(g[q][1])).add(t2.mul(g[q][2]));
                        v.intoArray(u, base + ((r * alpha + q) * in + i) * width);
                    }
                }
            }
        }
    }

    private static final float[][] G2F = toFloat(G2);
    private static final float[][] G4F = toFloat(G4);

    /** {@link #g} in float (shared, not to be changed). */
    static float[][] gFloat(int m) {
        return m == 2 ? G2F : G4F;
    }

    private static float[][] toFloat(double[][] g) {
        float[][] f = new float[g.length][];
        for (int i = 0; i < g.length; i++) {
            f[i] = new float[g[i].length];
            for (int j = 0; j < g[i].length; j++) {
                f[i][j] = (float) g[i][j];
            }
        }
        return f;
    }

    /** The panel of output channels (see {@link VectorWinogradGemm#panelStart}) that holds channel co. */
    private static int panelOf(int coPad, int co) {
        int p = 0;
        while (VectorWinogradGemm.panelStart(coPad, p + 1) <= co) {
            p++;
        }
        return p;
    }

    /** Where U[ξ][ci][co] lives in {@link #filtersReference}' panel layout. */
    static int uIndex(int points, int cin, int coPad, int xi, int ci, int co) {
        int p = panelOf(coPad, co);
        int start = VectorWinogradGemm.panelStart(coPad, p);
        int width = VectorWinogradGemm.panelStart(coPad, p + 1) - start;
        return start * points * cin + (xi * cin + ci) * width + co - start;
    }

    // ------------------------------------------------------------------ input transform

    /**
     * F(2,3) input transform of one patch for VL channels: d[k][l] is the vector at {@code src[base + k*sk + l*sl]};
     * V[ξ] goes to {@code v[vBase + ξ*xiStride]}. Bᵀ = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]].
     */
    static void input2(float[] src, int base, int sk, int sl, float[] v, int vBase, int xiStride) {
        FloatVector r00, r01, r02, r03, r10, r11, r12, r13, r20, r21, r22, r23, r30, r31, r32, r33;
        {
            int o = base;
            FloatVector d0 = FloatVector.fromArray(S, src, o);
            FloatVector d1 = FloatVector.fromArray(S, src, o + sk);
            FloatVector d2 = FloatVector.fromArray(S, src, o + 2 * sk);
            FloatVector d3 = FloatVector.fromArray(S, src, o + 3 * sk);
            r00 = d0.sub(d2); r10 = d1.add(d2); r20 = d2.sub(d1); r30 = d1.sub(d3);
        }
        {
            int o = base + sl;
            FloatVector d0 = FloatVector.fromArray(S, src, o);
            FloatVector d1 = FloatVector.fromArray(S, src, o + sk);
            FloatVector d2 = FloatVector.fromArray(S, src, o + 2 * sk);
            FloatVector d3 = FloatVector.fromArray(S, src, o + 3 * sk);
            r01 = d0.sub(d2); r11 = d1.add(d2); r21 = d2.sub(d1); r31 = d1.sub(d3);
        }
        {
            int o = base + 2 * sl;
            FloatVector d0 = FloatVector.fromArray(S, src, o);
            FloatVector d1 = FloatVector.fromArray(S, src, o + sk);
            FloatVector d2 = FloatVector.fromArray(S, src, o + 2 * sk);
            FloatVector d3 = FloatVector.fromArray(S, src, o + 3 * sk);
            r02 = d0.sub(d2); r12 = d1.add(d2); r22 = d2.sub(d1); r32 = d1.sub(d3);
        }
        {
            int o = base + 3 * sl;
            FloatVector d0 = FloatVector.fromArray(S, src, o);
            FloatVector d1 = FloatVector.fromArray(S, src, o + sk);
            FloatVector d2 = FloatVector.fromArray(S, src, o + 2 * sk);
            FloatVector d3 = FloatVector.fromArray(S, src, o + 3 * sk);
            r03 = d0.sub(d2); r13 = d1.add(d2); r23 = d2.sub(d1); r33 = d1.sub(d3);
        }
        int o = vBase;
        r00.sub(r02).intoArray(v, o); r01.add(r02).intoArray(v, o + xiStride);
        r02.sub(r01).intoArray(v, o + 2 * xiStride); r01.sub(r03).intoArray(v, o + 3 * xiStride);
        o += 4 * xiStride;
        r10.sub(r12).intoArray(v, o); r11.add(r12).intoArray(v, o + xiStride);
        r12.sub(r11).intoArray(v, o + 2 * xiStride); r11.sub(r13).intoArray(v, o + 3 * xiStride);
        o += 4 * xiStride;
        r20.sub(r22).intoArray(v, o); r21.add(r22).intoArray(v, o + xiStride);
        r22.sub(r21).intoArray(v, o + 2 * xiStride); r21.sub(r23).intoArray(v, o + 3 * xiStride);
        o += 4 * xiStride;
        r30.sub(r32).intoArray(v, o); r31.add(r32).intoArray(v, o + xiStride);
        r32.sub(r31).intoArray(v, o + 2 * xiStride); r31.sub(r33).intoArray(v, o + 3 * xiStride);
    }

    /**
     * F(4,3) input transform of one patch for VL channels (see {@link #input2}); {@code tmp} holds 36·VL floats of
     * scratch. Bᵀ rows: (4,0,-5,0,1,0), (0,-4,-4,1,1,0), (0,4,-4,-1,1,0), (0,-2,-1,2,1,0), (0,2,-1,-2,1,0),
     * (0,4,0,-5,0,1).
     */
    static void input4(float[] src, int base, int sk, int sl, float[] tmp, float[] v, int vBase, int xiStride) {
        for (int l = 0; l < 6; l++) { // along k: tmp[i][l]
            int o = base + l * sl;
            FloatVector d0 = FloatVector.fromArray(S, src, o);
            FloatVector d1 = FloatVector.fromArray(S, src, o + sk);
            FloatVector d2 = FloatVector.fromArray(S, src, o + 2 * sk);
            FloatVector d3 = FloatVector.fromArray(S, src, o + 3 * sk);
            FloatVector d4 = FloatVector.fromArray(S, src, o + 4 * sk);
            FloatVector d5 = FloatVector.fromArray(S, src, o + 5 * sk);
            bt6(d0, d1, d2, d3, d4, d5, tmp, l * VL, 6 * VL);
        }
        for (int i = 0; i < 6; i++) { // along l
            int t = i * 6 * VL;
            FloatVector e0 = FloatVector.fromArray(S, tmp, t);
            FloatVector e1 = FloatVector.fromArray(S, tmp, t + VL);
            FloatVector e2 = FloatVector.fromArray(S, tmp, t + 2 * VL);
            FloatVector e3 = FloatVector.fromArray(S, tmp, t + 3 * VL);
            FloatVector e4 = FloatVector.fromArray(S, tmp, t + 4 * VL);
            FloatVector e5 = FloatVector.fromArray(S, tmp, t + 5 * VL);
            bt6(e0, e1, e2, e3, e4, e5, v, vBase + i * 6 * xiStride, xiStride);
        }
    }

    /** {@code Bᵀ (d0..d5)} for F(4,3): output k goes to {@code dst[at + k*stride]}. */
    private static void bt6(FloatVector d0, FloatVector d1, FloatVector d2, FloatVector d3, FloatVector d4,
                            FloatVector d5, float[] dst, int at, int stride) {
        FloatVector n4 = FloatVector.broadcast(S, -4f);
        FloatVector n5 = FloatVector.broadcast(S, -5f);
        FloatVector p4 = FloatVector.broadcast(S, 4f);
        FloatVector a = d2.fma(n4, d4);            // d4 - 4 d2
        FloatVector b = d1.fma(n4, d3);            // d3 - 4 d1
        FloatVector c = d4.sub(d2);                // d4 - d2
        FloatVector e = d3.sub(d1).mul(2f);        // 2 (d3 - d1)
        d0.fma(p4, d2.fma(n5, d4)).intoArray(dst, at);
        a.add(b).intoArray(dst, at + stride);
        a.sub(b).intoArray(dst, at + 2 * stride);
        c.add(e).intoArray(dst, at + 3 * stride);
        c.sub(e).intoArray(dst, at + 4 * stride);
        d1.fma(p4, d3.fma(n5, d5)).intoArray(dst, at + 5 * stride);
    }

    // ------------------------------------------------------------------ output transform

    /**
     * F(2,3) output transform for VL channels of one tile: M[ξ] at {@code mm[mBase + ξ*xiStride]}; the 2×2 results
     * (plus bias, then ReLU if asked) go to {@code y[yBase + yi*yRow + xj*VL]}.
     * Aᵀ = [[1,1,1,0],[0,1,-1,-1]].
     */
    static void output2(float[] mm, int mBase, int xiStride, float[] biasLanes, boolean relu,
                        float[] y, int yBase, int yRow) {
        FloatVector bias = FloatVector.fromArray(S, biasLanes, 0);
        FloatVector t00, t01, t02, t03, t10, t11, t12, t13;
        {
            int o = mBase;
            FloatVector m0 = FloatVector.fromArray(S, mm, o);
            FloatVector m1 = FloatVector.fromArray(S, mm, o + 4 * xiStride);
            FloatVector m2 = FloatVector.fromArray(S, mm, o + 8 * xiStride);
            FloatVector m3 = FloatVector.fromArray(S, mm, o + 12 * xiStride);
            t00 = m0.add(m1).add(m2); t10 = m1.sub(m2).sub(m3);
        }
        {
            int o = mBase + xiStride;
            FloatVector m0 = FloatVector.fromArray(S, mm, o);
            FloatVector m1 = FloatVector.fromArray(S, mm, o + 4 * xiStride);
            FloatVector m2 = FloatVector.fromArray(S, mm, o + 8 * xiStride);
            FloatVector m3 = FloatVector.fromArray(S, mm, o + 12 * xiStride);
            t01 = m0.add(m1).add(m2); t11 = m1.sub(m2).sub(m3);
        }
        {
            int o = mBase + 2 * xiStride;
            FloatVector m0 = FloatVector.fromArray(S, mm, o);
            FloatVector m1 = FloatVector.fromArray(S, mm, o + 4 * xiStride);
            FloatVector m2 = FloatVector.fromArray(S, mm, o + 8 * xiStride);
            FloatVector m3 = FloatVector.fromArray(S, mm, o + 12 * xiStride);
            t02 = m0.add(m1).add(m2); t12 = m1.sub(m2).sub(m3);
        }
        {
            int o = mBase + 3 * xiStride;
            FloatVector m0 = FloatVector.fromArray(S, mm, o);
            FloatVector m1 = FloatVector.fromArray(S, mm, o + 4 * xiStride);
            FloatVector m2 = FloatVector.fromArray(S, mm, o + 8 * xiStride);
            FloatVector m3 = FloatVector.fromArray(S, mm, o + 12 * xiStride);
            t03 = m0.add(m1).add(m2); t13 = m1.sub(m2).sub(m3);
        }
        FloatVector zero = FloatVector.zero(S);
        FloatVector y00 = t00.add(t01).add(t02).add(bias);
        FloatVector y01 = t01.sub(t02).sub(t03).add(bias);
        FloatVector y10 = t10.add(t11).add(t12).add(bias);
        FloatVector y11 = t11.sub(t12).sub(t13).add(bias);
        if (relu) {
            y00 = y00.max(zero); y01 = y01.max(zero); y10 = y10.max(zero); y11 = y11.max(zero);
        }
        y00.intoArray(y, yBase);
        y01.intoArray(y, yBase + VL);
        y10.intoArray(y, yBase + yRow);
        y11.intoArray(y, yBase + yRow + VL);
    }

    /**
     * The transpose of {@link #output2}, for the weight gradient: one 2×2 tile of the output's gradient for VL
     * channels, dY = [[a, b], [c, d]] at {@code src[base]}, {@code +sl}, {@code +sk}, {@code +sk+sl}, to
     * {@code (A dY Aᵀ)[ξ]} at {@code v[vBase + ξ*xiStride]}; A = [[1,0],[1,1],[1,-1],[0,-1]] (Aᵀ of output2).
     */
    static void outputGradient2(float[] src, int base, int sk, int sl, float[] v, int vBase, int xiStride) {
        FloatVector a = FloatVector.fromArray(S, src, base);
        FloatVector b = FloatVector.fromArray(S, src, base + sl);
        FloatVector c = FloatVector.fromArray(S, src, base + sk);
        FloatVector d = FloatVector.fromArray(S, src, base + sk + sl);
        // rows of A·dY: (a, b), (a+c, b+d), (a−c, b−d), (−c, −d); each row (p, q) times Aᵀ: (p, p+q, p−q, −q)
        FloatVector p1 = a.add(c), q1 = b.add(d), p2 = a.sub(c), q2 = b.sub(d);
        int o = vBase;
        a.intoArray(v, o); a.add(b).intoArray(v, o + xiStride);
        a.sub(b).intoArray(v, o + 2 * xiStride); b.neg().intoArray(v, o + 3 * xiStride);
        o += 4 * xiStride;
        p1.intoArray(v, o); p1.add(q1).intoArray(v, o + xiStride);
        p1.sub(q1).intoArray(v, o + 2 * xiStride); q1.neg().intoArray(v, o + 3 * xiStride);
        o += 4 * xiStride;
        p2.intoArray(v, o); p2.add(q2).intoArray(v, o + xiStride);
        p2.sub(q2).intoArray(v, o + 2 * xiStride); q2.neg().intoArray(v, o + 3 * xiStride);
        o += 4 * xiStride;
        FloatVector nc = c.neg();
        nc.intoArray(v, o); nc.sub(d).intoArray(v, o + xiStride);
        nc.add(d).intoArray(v, o + 2 * xiStride); d.intoArray(v, o + 3 * xiStride);
    }

    /**
     * The transpose of {@link #output4}, for the weight gradient: one 4×4 tile of the output's gradient for VL
     * channels, dY[y][x] at {@code src[base + y*sk + x*sl]}, to {@code (A dY Aᵀ)[ξ]} at
     * {@code v[vBase + ξ*xiStride]}; {@code tmp} holds 24·VL floats of scratch. A's rows: (1,0,0,0), (1,1,1,1),
     * (1,-1,1,-1), (1,2,4,8), (1,-2,4,-8), (0,0,0,1) (Aᵀ of output4).
     */
    static void outputGradient4(float[] src, int base, int sk, int sl, float[] tmp, float[] v, int vBase,
                                int xiStride) {
        for (int x = 0; x < 4; x++) { // down the columns: tmp[i][x] = (A dY)[i][x]
            int o = base + x * sl;
            a6(FloatVector.fromArray(S, src, o), FloatVector.fromArray(S, src, o + sk),
                    FloatVector.fromArray(S, src, o + 2 * sk), FloatVector.fromArray(S, src, o + 3 * sk),
                    tmp, x * VL, 4 * VL);
        }
        for (int i = 0; i < 6; i++) { // along the rows: v[i][j] = ((A dY) Aᵀ)[i][j]
            int t = i * 4 * VL;
            a6(FloatVector.fromArray(S, tmp, t), FloatVector.fromArray(S, tmp, t + VL),
                    FloatVector.fromArray(S, tmp, t + 2 * VL), FloatVector.fromArray(S, tmp, t + 3 * VL),
                    v, vBase + i * 6 * xiStride, xiStride);
        }
    }

    /** {@code A (d0..d3)} for F(4,3): output i goes to {@code dst[at + i*stride]}. */
    private static void a6(FloatVector d0, FloatVector d1, FloatVector d2, FloatVector d3, float[] dst, int at,
                           int stride) {
        FloatVector even = d0.add(d2), odd = d1.add(d3);
        FloatVector even4 = d2.mul(4f).add(d0), odd8 = d3.mul(8f).add(d1.mul(2f)); // d0 + 4 d2, 2 d1 + 8 d3
        d0.intoArray(dst, at);
        even.add(odd).intoArray(dst, at + stride);
        even.sub(odd).intoArray(dst, at + 2 * stride);
        even4.add(odd8).intoArray(dst, at + 3 * stride);
        even4.sub(odd8).intoArray(dst, at + 4 * stride);
        d3.intoArray(dst, at + 5 * stride);
    }

    /**
     * F(4,3) output transform (see {@link #output2}); {@code tmp} holds 24·VL floats of scratch.
     * Aᵀ rows: (1,1,1,1,1,0), (0,1,-1,2,-2,0), (0,1,1,4,4,0), (0,1,-1,8,-8,1).
     */
    static void output4(float[] mm, int mBase, int xiStride, float[] biasLanes, boolean relu, float[] tmp,
                        float[] y, int yBase, int yRow) {
        FloatVector bias = FloatVector.fromArray(S, biasLanes, 0);
        for (int j = 0; j < 6; j++) { // along i: tmp[yi][j]
            int o = mBase + j * xiStride;
            FloatVector m0 = FloatVector.fromArray(S, mm, o);
            FloatVector m1 = FloatVector.fromArray(S, mm, o + 6 * xiStride);
            FloatVector m2 = FloatVector.fromArray(S, mm, o + 12 * xiStride);
            FloatVector m3 = FloatVector.fromArray(S, mm, o + 18 * xiStride);
            FloatVector m4 = FloatVector.fromArray(S, mm, o + 24 * xiStride);
            FloatVector m5 = FloatVector.fromArray(S, mm, o + 30 * xiStride);
            at6(m0, m1, m2, m3, m4, m5, tmp, j * VL, 6 * VL);
        }
        FloatVector zero = FloatVector.zero(S);
        FloatVector two = FloatVector.broadcast(S, 2f);
        FloatVector four = FloatVector.broadcast(S, 4f);
        FloatVector eight = FloatVector.broadcast(S, 8f);
        for (int yi = 0; yi < 4; yi++) { // along j
            int t = yi * 6 * VL;
            FloatVector m0 = FloatVector.fromArray(S, tmp, t);
            FloatVector m1 = FloatVector.fromArray(S, tmp, t + VL);
            FloatVector m2 = FloatVector.fromArray(S, tmp, t + 2 * VL);
            FloatVector m3 = FloatVector.fromArray(S, tmp, t + 3 * VL);
            FloatVector m4 = FloatVector.fromArray(S, tmp, t + 4 * VL);
            FloatVector m5 = FloatVector.fromArray(S, tmp, t + 5 * VL);
            FloatVector s12 = m1.add(m2), d12 = m1.sub(m2), s34 = m3.add(m4), d34 = m3.sub(m4);
            FloatVector y0 = m0.add(s12).add(s34).add(bias);
            FloatVector y1 = d34.fma(two, d12).add(bias);
            FloatVector y2 = s34.fma(four, s12).add(bias);
            FloatVector y3 = d34.fma(eight, d12).add(m5).add(bias);
            if (relu) {
                y0 = y0.max(zero); y1 = y1.max(zero); y2 = y2.max(zero); y3 = y3.max(zero);
            }
            int o = yBase + yi * yRow;
            y0.intoArray(y, o);
            y1.intoArray(y, o + VL);
            y2.intoArray(y, o + 2 * VL);
            y3.intoArray(y, o + 3 * VL);
        }
    }

    /** {@code Aᵀ (m0..m5)} for F(4,3): output k goes to {@code dst[at + k*stride]}. */
    private static void at6(FloatVector m0, FloatVector m1, FloatVector m2, FloatVector m3, FloatVector m4,
                            FloatVector m5, float[] dst, int at, int stride) {
        FloatVector s12 = m1.add(m2), d12 = m1.sub(m2), s34 = m3.add(m4), d34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(dst, at);
        d34.fma(FloatVector.broadcast(S, 2f), d12).intoArray(dst, at + stride);
        s34.fma(FloatVector.broadcast(S, 4f), s12).intoArray(dst, at + 2 * stride);
        d34.fma(FloatVector.broadcast(S, 8f), d12).add(m5).intoArray(dst, at + 3 * stride);
    }
}
