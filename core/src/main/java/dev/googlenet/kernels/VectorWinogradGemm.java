package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM stage of {@link Winograd3x3}: for one Winograd point ξ and one panel of output channels,
 * {@code M[t][co] = Σ_ci V[t][ci] · U[ci][co]}, rows = tiles, vectorized over output channels (so the vector width
 * never depends on the image size).
 *
 * <p>Micro-kernels hold 6 (or 4, 2 for the last tiles) tiles × 1..4 vectors of output channels in registers over
 * the whole channel sum and store straight into M (no k blocking: the U panel, Cin × 64 floats, stays in L2 for
 * any realistic Cin). Row r of A at p is {@code a[aBase + r*rs + p*cs]}; rows past the last tile repeat it, so
 * nothing outside V is read, and only the real rows are stored. U's output channels are padded with zeros to
 * whole vectors, so no masks are needed. Same code style as {@link VectorGemm}'s kernels (local zero
 * accumulators, no masks) to keep C2 happy.
 */
final class VectorWinogradGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MR = 6;
    static final int NV = 4;
    static final int NR = NV * VL;

    private VectorWinogradGemm() {
    }

    /** Panels of output channels for coPad (a multiple of VL) channels: at most NV vectors each. */
    static int panels(int coPad) {
        return (coPad / VL + NV - 1) / NV;
    }

    /**
     * First channel of panel p (p = panels gives coPad). Vectors are spread evenly (208 channels → 4+3+3+3
     * vectors, not 4+4+4+1: the 1-vector kernel is load-bound).
     */
    static int panelStart(int coPad, int p) {
        int vectors = coPad / VL;
        int panels = panels(coPad);
        return (p * (vectors / panels) + Math.min(p, vectors % panels)) * VL;
    }

    /**
     * One panel of {@code nv} vectors of output channels for {@code rows} tiles:
     * {@code c[cBase + r*ldc + (0..nv*VL))} = Σ_p a[aBase + r*rs + p*cs] · b[bBase + p*bs + (0..nv*VL)].
     */
    static void gemm(int k, int rows, float[] a, int aBase, int rs, int cs,
                     float[] b, int bBase, int bs, int nv, float[] c, int cBase, int ldc) {
        for (int r = 0; r < rows; ) {
            int rest = rows - r;
            // 6-row slivers; a rest of 3 or 4 takes the 4-row kernels, 1 or 2 the 2-row ones (fewer wasted FMAs)
            int mr = Math.min(rest, rest >= 5 ? 6 : rest >= 3 ? 4 : 2);
            int ab = aBase + r * rs;
            int cb = cBase + r * ldc;
            if (rest >= 5) {
                switch (nv) {
                    case 4 -> k6x4(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    case 3 -> k6x3(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    case 2 -> k6x2(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    default -> k6x1(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                }
            } else if (rest >= 3) {
                switch (nv) {
                    case 4 -> k4x4(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    case 3 -> k4x3(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    case 2 -> k4x2(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    default -> k4x1(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                }
            } else {
                switch (nv) {
                    case 4 -> k2x4(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    case 3 -> k2x3(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    case 2 -> k2x2(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                    default -> k2x1(k, a, ab, rs, cs, mr, b, bBase, bs, c, cb, ldc);
                }
            }
            r += mr;
        }
    }

    static void k6x4(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero, c43 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero, c53 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42); c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52); c53 = a5.fma(b3, c53);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL); c02.intoArray(c, r + 2 * VL); c03.intoArray(c, r + 3 * VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL); c12.intoArray(c, r + 2 * VL); c13.intoArray(c, r + 3 * VL);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r); c21.intoArray(c, r + VL); c22.intoArray(c, r + 2 * VL); c23.intoArray(c, r + 3 * VL);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r); c31.intoArray(c, r + VL); c32.intoArray(c, r + 2 * VL); c33.intoArray(c, r + 3 * VL);
        }
        if (mr > 4) {
            r += ldc;
            c40.intoArray(c, r); c41.intoArray(c, r + VL); c42.intoArray(c, r + 2 * VL); c43.intoArray(c, r + 3 * VL);
        }
        if (mr > 5) {
            r += ldc;
            c50.intoArray(c, r); c51.intoArray(c, r + VL); c52.intoArray(c, r + 2 * VL); c53.intoArray(c, r + 3 * VL);
        }
    }

    static void k6x3(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL); c02.intoArray(c, r + 2 * VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL); c12.intoArray(c, r + 2 * VL);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r); c21.intoArray(c, r + VL); c22.intoArray(c, r + 2 * VL);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r); c31.intoArray(c, r + VL); c32.intoArray(c, r + 2 * VL);
        }
        if (mr > 4) {
            r += ldc;
            c40.intoArray(c, r); c41.intoArray(c, r + VL); c42.intoArray(c, r + 2 * VL);
        }
        if (mr > 5) {
            r += ldc;
            c50.intoArray(c, r); c51.intoArray(c, r + VL); c52.intoArray(c, r + 2 * VL);
        }
    }

    static void k6x2(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero;
        FloatVector c10 = zero, c11 = zero;
        FloatVector c20 = zero, c21 = zero;
        FloatVector c30 = zero, c31 = zero;
        FloatVector c40 = zero, c41 = zero;
        FloatVector c50 = zero, c51 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r); c21.intoArray(c, r + VL);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r); c31.intoArray(c, r + VL);
        }
        if (mr > 4) {
            r += ldc;
            c40.intoArray(c, r); c41.intoArray(c, r + VL);
        }
        if (mr > 5) {
            r += ldc;
            c50.intoArray(c, r); c51.intoArray(c, r + VL);
        }
    }

    static void k6x1(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        int o4 = Math.min(4, mr - 1) * rs;
        int o5 = Math.min(5, mr - 1) * rs;
        FloatVector c00 = zero;
        FloatVector c10 = zero;
        FloatVector c20 = zero;
        FloatVector c30 = zero;
        FloatVector c40 = zero;
        FloatVector c50 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + o4]);
            c40 = a4.fma(b0, c40);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + o5]);
            c50 = a5.fma(b0, c50);
        }
        int r = cBase;
        c00.intoArray(c, r);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r);
        }
        if (mr > 4) {
            r += ldc;
            c40.intoArray(c, r);
        }
        if (mr > 5) {
            r += ldc;
            c50.intoArray(c, r);
        }
    }

    static void k4x4(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL); c02.intoArray(c, r + 2 * VL); c03.intoArray(c, r + 3 * VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL); c12.intoArray(c, r + 2 * VL); c13.intoArray(c, r + 3 * VL);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r); c21.intoArray(c, r + VL); c22.intoArray(c, r + 2 * VL); c23.intoArray(c, r + 3 * VL);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r); c31.intoArray(c, r + VL); c32.intoArray(c, r + 2 * VL); c33.intoArray(c, r + 3 * VL);
        }
    }

    static void k4x3(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL); c02.intoArray(c, r + 2 * VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL); c12.intoArray(c, r + 2 * VL);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r); c21.intoArray(c, r + VL); c22.intoArray(c, r + 2 * VL);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r); c31.intoArray(c, r + VL); c32.intoArray(c, r + 2 * VL);
        }
    }

    static void k4x2(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero;
        FloatVector c10 = zero, c11 = zero;
        FloatVector c20 = zero, c21 = zero;
        FloatVector c30 = zero, c31 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r); c21.intoArray(c, r + VL);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r); c31.intoArray(c, r + VL);
        }
    }

    static void k4x1(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        int o2 = Math.min(2, mr - 1) * rs;
        int o3 = Math.min(3, mr - 1) * rs;
        FloatVector c00 = zero;
        FloatVector c10 = zero;
        FloatVector c20 = zero;
        FloatVector c30 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + o2]);
            c20 = a2.fma(b0, c20);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + o3]);
            c30 = a3.fma(b0, c30);
        }
        int r = cBase;
        c00.intoArray(c, r);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r);
        }
        if (mr > 2) {
            r += ldc;
            c20.intoArray(c, r);
        }
        if (mr > 3) {
            r += ldc;
            c30.intoArray(c, r);
        }
    }

    static void k2x4(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL); c02.intoArray(c, r + 2 * VL); c03.intoArray(c, r + 3 * VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL); c12.intoArray(c, r + 2 * VL); c13.intoArray(c, r + 3 * VL);
        }
    }

    static void k2x3(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero, c02 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL); c02.intoArray(c, r + 2 * VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL); c12.intoArray(c, r + 2 * VL);
        }
    }

    static void k2x2(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        FloatVector c00 = zero, c01 = zero;
        FloatVector c10 = zero, c11 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + VL);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11);
        }
        int r = cBase;
        c00.intoArray(c, r); c01.intoArray(c, r + VL);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r); c11.intoArray(c, r + VL);
        }
    }

    static void k2x1(int k, float[] a, int aBase, int rs, int cs, int mr, float[] b, int bBase, int bs,
                        float[] c, int cBase, int ldc) {
        FloatVector zero = FloatVector.zero(S);
        int o1 = Math.min(1, mr - 1) * rs;
        FloatVector c00 = zero;
        FloatVector c10 = zero;
        for (int p = 0, ai = aBase, bi = bBase; p < k; p++, ai += cs, bi += bs) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + o1]);
            c10 = a1.fma(b0, c10);
        }
        int r = cBase;
        c00.intoArray(c, r);
        if (mr > 1) {
            r += ldc;
            c10.intoArray(c, r);
        }
    }
}
