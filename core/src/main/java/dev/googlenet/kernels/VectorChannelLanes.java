package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;

import static dev.googlenet.kernels.VectorGemm.S;
import static dev.googlenet.kernels.VectorGemm.VL;

/**
 * The convolution GEMM with output channels in the vector lanes, for B with few columns (a 1×1 convolution of one
 * 7×7 map: 49 pixels). {@link VectorGemm}'s micro-kernel puts pixels in the lanes, and 49 of them fill a 64-wide
 * panel to three quarters; here a tile is {@link #PX} pixels × {@link #CB} channels, so a 7×7 map is seven whole
 * tiles (only a layer's last block of channels may be partial), and the filters, packed once ({@link #pack}), are
 * read as one stream of whole vectors. Each output is still the fused multiply-add chain of its k products from
 * zero, in k order, then + bias, then max 0: bit for bit {@link VectorGemm}'s result when k fits one k block.
 */
final class VectorChannelLanes {
    /** Pixels per tile: the accumulators are PX × 3 vectors. */
    static final int PX = 7;
    /** Output channels per block: three vectors. */
    static final int CB = 3 * VL;

    private VectorChannelLanes() {
    }

    /**
     * A [m, k] row-major as blocks of CB channels: channel b·CB + c's value for k index p at (b·k + p)·CB + c (zeros
     * past m).
     */
    static float[] pack(float[] a, int m, int k) {
        int blocks = Math.ceilDiv(m, CB);
        float[] p = new float[blocks * k * CB];
        for (int ch = 0; ch < m; ch++) {
            for (int q = 0, base = ch / CB * k * CB + ch % CB; q < k; q++) {
                p[base + q * CB] = a[ch * k + q];
            }
        }
        return p;
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {
            new float[PX * CB], new float[0]});

    /**
     * Channel blocks [cb0, cb1) of C = A·B for B's pixels [p0, p1) (B: k rows of ldb at b[bOff]), placed, biased and
     * clamped as {@code rows} says (row i of C = channel i).
     */
    static void compute(int m, int k, float[] lanes, float[] b, int bOff, int ldb, RowBlocks rows, int cb0, int cb1,
                        int p0, int p1) {
        float[][] s = SCRATCH.get();
        float[] t = s[0];
        float[] bias = rows.bias();
        boolean relu = rows.relu();
        FloatVector zero = FloatVector.zero(S);
        // a last, partial tile of pixels: copied once beside zeros, for every channel block to read
        int tail = (p1 - p0) % PX, tailStart = p1 - tail;
        if (tail > 0) {
            if (s[1].length < k * PX) {
                s[1] = new float[k * PX];
            }
            for (int p = 0; p < k; p++) {
                for (int i = 0; i < PX; i++) {
                    s[1][p * PX + i] = i < tail ? b[bOff + p * ldb + tailStart + i] : 0f;
                }
            }
        }
        for (int cb = cb0; cb < cb1; cb++) {
            int c0 = cb * CB, cn = Math.min(CB, m - c0);
            FloatVector b0 = zero, b1 = zero, b2 = zero;
            if (bias != null) {
                b0 = FloatVector.fromArray(S, bias, c0, S.indexInRange(c0, m));
                b1 = FloatVector.fromArray(S, bias, c0 + VL, S.indexInRange(c0 + VL, m));
                b2 = FloatVector.fromArray(S, bias, c0 + 2 * VL, S.indexInRange(c0 + 2 * VL, m));
            }
            for (int q = p0; q < p1; q += PX) {
                int np = Math.min(PX, p1 - q);
                if (np == PX) {
                    kernel(k, lanes, cb * k * CB, b, bOff + q, ldb, t);
                } else {
                    kernel(k, lanes, cb * k * CB, s[1], 0, PX, t);
                }
                for (int i = 0; i < np; i++) {
                    int ti = i * CB;
                    FloatVector v0 = FloatVector.fromArray(S, t, ti);
                    FloatVector v1 = FloatVector.fromArray(S, t, ti + VL);
                    FloatVector v2 = FloatVector.fromArray(S, t, ti + 2 * VL);
                    if (bias != null) {
                        v0 = v0.add(b0);
                        v1 = v1.add(b1);
                        v2 = v2.add(b2);
                    }
                    if (relu) {
                        v0 = v0.max(zero);
                        v1 = v1.max(zero);
                        v2 = v2.max(zero);
                    }
                    v0.intoArray(t, ti);
                    v1.intoArray(t, ti + VL);
                    v2.intoArray(t, ti + 2 * VL);
                }
                for (int c = 0; c < cn; c++) {
                    int ch = c0 + c, blk = rows.block(ch);
                    float[] out = rows.out()[blk];
                    for (int i = 0, o = rows.rowStart(blk, ch) + q; i < np; i++) {
                        out[o + i] = t[i * CB + c];
                    }
                }
            }
        }
    }

    /** One PX × CB tile over all k: B's pixels at b[bBase + p·ldb + i], the tile to t[i·CB + c]. */
    private static void kernel(int k, float[] a, int aBase, float[] b, int bBase, int ldb, float[] t) {
        // a local zero: C2 keeps loop-carried vectors in registers only when each starts as a fresh vector
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero, c01 = zero, c02 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero;
        FloatVector c60 = zero, c61 = zero, c62 = zero;
        for (int p = 0; p < k; p++) {
            int ai = aBase + p * CB, bi = bBase + p * ldb;
            FloatVector w0 = FloatVector.fromArray(S, a, ai);
            FloatVector w1 = FloatVector.fromArray(S, a, ai + VL);
            FloatVector w2 = FloatVector.fromArray(S, a, ai + 2 * VL);
            FloatVector x0 = FloatVector.broadcast(S, b[bi]);
            c00 = w0.fma(x0, c00); c01 = w1.fma(x0, c01); c02 = w2.fma(x0, c02);
            FloatVector x1 = FloatVector.broadcast(S, b[bi + 1]);
            c10 = w0.fma(x1, c10); c11 = w1.fma(x1, c11); c12 = w2.fma(x1, c12);
            FloatVector x2 = FloatVector.broadcast(S, b[bi + 2]);
            c20 = w0.fma(x2, c20); c21 = w1.fma(x2, c21); c22 = w2.fma(x2, c22);
            FloatVector x3 = FloatVector.broadcast(S, b[bi + 3]);
            c30 = w0.fma(x3, c30); c31 = w1.fma(x3, c31); c32 = w2.fma(x3, c32);
            FloatVector x4 = FloatVector.broadcast(S, b[bi + 4]);
            c40 = w0.fma(x4, c40); c41 = w1.fma(x4, c41); c42 = w2.fma(x4, c42);
            FloatVector x5 = FloatVector.broadcast(S, b[bi + 5]);
            c50 = w0.fma(x5, c50); c51 = w1.fma(x5, c51); c52 = w2.fma(x5, c52);
            FloatVector x6 = FloatVector.broadcast(S, b[bi + 6]);
            c60 = w0.fma(x6, c60); c61 = w1.fma(x6, c61); c62 = w2.fma(x6, c62);
        }
        c00.intoArray(t, 0); c01.intoArray(t, VL); c02.intoArray(t, 2 * VL);
        c10.intoArray(t, CB); c11.intoArray(t, CB + VL); c12.intoArray(t, CB + 2 * VL);
        c20.intoArray(t, 2 * CB); c21.intoArray(t, 2 * CB + VL); c22.intoArray(t, 2 * CB + 2 * VL);
        c30.intoArray(t, 3 * CB); c31.intoArray(t, 3 * CB + VL); c32.intoArray(t, 3 * CB + 2 * VL);
        c40.intoArray(t, 4 * CB); c41.intoArray(t, 4 * CB + VL); c42.intoArray(t, 4 * CB + 2 * VL);
        c50.intoArray(t, 5 * CB); c51.intoArray(t, 5 * CB + VL); c52.intoArray(t, 5 * CB + 2 * VL);
        c60.intoArray(t, 6 * CB); c61.intoArray(t, 6 * CB + VL); c62.intoArray(t, 6 * CB + 2 * VL);
    }
}
