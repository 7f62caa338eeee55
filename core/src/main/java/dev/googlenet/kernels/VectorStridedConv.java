package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

import static dev.googlenet.kernels.VectorGemm.MR;
import static dev.googlenet.kernels.VectorGemm.NR;
import static dev.googlenet.kernels.VectorGemm.S;
import static dev.googlenet.kernels.VectorGemm.VL;

/**
 * The Vector API body of {@link StridedConv#rows} (loaded only when the vector kernels run): panels of B packed
 * from the phase planes' runs, multiplied by {@link VectorGemm}'s micro-kernel (on the filters' slivers when they
 * are packed, {@link PackedFilters}), stored with bias and ReLU. With packed filters and output rows of whole
 * vectors (the stem's 112), full panels are not packed: a micro-kernel reads their vectors in the phase planes.
 */
final class VectorStridedConv {
    private VectorStridedConv() {
    }

    /** Floats of the scratch buffer {@link #rows} needs for K = {@code k}: a result tile and one packed panel. */
    static int scratchSize(int k) {
        return MR * NR + k * NR;
    }

    /** {@link StridedConv#rows}, with the geometry the instance holds ({@code rowBase}: one entry per K row). */
    static void rows(int[] rowBase, int qw, int oh, int ow, float[] planes, float[] wt, float[] slivers, int m,
                     float[] bias, boolean relu, float[] y, int yOff, int oy0, int oy1, float[] scratch) {
        int k = rowBase.length, ohw = oh * ow, jEnd = oy1 * ow, panel = MR * NR;
        FloatVector floor = FloatVector.broadcast(S, relu ? 0f : Float.NEGATIVE_INFINITY);
        // with packed filters and output rows of whole vectors, each vector of a full panel is one run of a phase
        // plane: the micro-kernel reads B there, and no panel is packed
        boolean inPlace = slivers != null && ow % VL == 0;
        for (int j0 = oy0 * ow; j0 < jEnd; j0 += NR) {
            int nr = Math.min(NR, jEnd - j0);
            if (inPlace && nr == NR) {
                int r0 = runStart(j0, ow, qw), r1 = runStart(j0 + VL, ow, qw);
                int r2 = runStart(j0 + 2 * VL, ow, qw), r3 = runStart(j0 + 3 * VL, ow, qw);
                for (int i = 0; i < m; i += MR) {
                    kernelInPlace(k, slivers, i * k, planes, rowBase, r0, r1, r2, r3, scratch);
                    store(scratch, Math.min(MR, m - i), NR, bias, i, floor, y, yOff + i * ohw + j0, ohw);
                }
                continue;
            }
            packPanel(rowBase, qw, ow, planes, j0, nr, scratch, panel);
            for (int i = 0; i < m; i += MR) {
                int mr = Math.min(MR, m - i);
                if (slivers != null) {
                    VectorGemm.kernel4Packed(k, slivers, i * k, scratch, panel, NR, scratch);
                } else {
                    VectorGemm.kernel4(k, wt, i * k, k, 1, mr, scratch, panel, NR, scratch);
                }
                store(scratch, mr, nr, bias, i, floor, y, yOff + i * ohw + j0, ohw);
            }
        }
    }

    /** Where output pixel j's run starts in a phase plane, relative to a K row's {@code rowBase}. */
    private static int runStart(int j, int ow, int qw) {
        return j / ow * qw + j % ow;
    }

    /**
     * {@link VectorGemm#kernel4Packed} with B read in place: row p's four vectors at
     * {@code planes[rowBase[p] + r0..r3]}, the MR × NR tile to {@code t}. The same sums in the same order as on a
     * packed panel, so the same bits; packing cost more than an eighth of the stem (measured in the README).
     */
    private static void kernelInPlace(int kc, float[] a, int aBase, float[] planes, int[] rowBase, int r0, int r1,
                                      int r2, int r3, float[] t) {
        // A local zero, not a static constant: C2 keeps loop-carried vectors in registers only when every
        // value entering the loop is a freshly made vector.
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        FloatVector c40 = zero, c41 = zero, c42 = zero, c43 = zero;
        FloatVector c50 = zero, c51 = zero, c52 = zero, c53 = zero;
        for (int p = 0; p < kc; p++) {
            int ai = aBase + MR * p, bi = rowBase[p];
            FloatVector b0 = FloatVector.fromArray(S, planes, bi + r0);
            FloatVector b1 = FloatVector.fromArray(S, planes, bi + r1);
            FloatVector b2 = FloatVector.fromArray(S, planes, bi + r2);
            FloatVector b3 = FloatVector.fromArray(S, planes, bi + r3);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02); c03 = a0.fma(b3, c03);
            FloatVector a1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12); c13 = a1.fma(b3, c13);
            FloatVector a2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22); c23 = a2.fma(b3, c23);
            FloatVector a3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32); c33 = a3.fma(b3, c33);
            FloatVector a4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42); c43 = a4.fma(b3, c43);
            FloatVector a5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52); c53 = a5.fma(b3, c53);
        }
        c00.intoArray(t, 0 * NR + 0 * VL); c01.intoArray(t, 0 * NR + 1 * VL);
        c02.intoArray(t, 0 * NR + 2 * VL); c03.intoArray(t, 0 * NR + 3 * VL);
        c10.intoArray(t, 1 * NR + 0 * VL); c11.intoArray(t, 1 * NR + 1 * VL);
        c12.intoArray(t, 1 * NR + 2 * VL); c13.intoArray(t, 1 * NR + 3 * VL);
        c20.intoArray(t, 2 * NR + 0 * VL); c21.intoArray(t, 2 * NR + 1 * VL);
        c22.intoArray(t, 2 * NR + 2 * VL); c23.intoArray(t, 2 * NR + 3 * VL);
        c30.intoArray(t, 3 * NR + 0 * VL); c31.intoArray(t, 3 * NR + 1 * VL);
        c32.intoArray(t, 3 * NR + 2 * VL); c33.intoArray(t, 3 * NR + 3 * VL);
        c40.intoArray(t, 4 * NR + 0 * VL); c41.intoArray(t, 4 * NR + 1 * VL);
        c42.intoArray(t, 4 * NR + 2 * VL); c43.intoArray(t, 4 * NR + 3 * VL);
        c50.intoArray(t, 5 * NR + 0 * VL); c51.intoArray(t, 5 * NR + 1 * VL);
        c52.intoArray(t, 5 * NR + 2 * VL); c53.intoArray(t, 5 * NR + 3 * VL);
    }

    /**
     * B's panel at {@code b[bOff]}, NR wide: column c is output pixel j0 + c, and row p, over the pixels of one
     * output row, a run of p's phase plane. A panel covers one or two output rows (more if they are narrow).
     */
    private static void packPanel(int[] rowBase, int qw, int ow, float[] planes, int j0, int nr, float[] b,
                                  int bOff) {
        for (int c = 0; c < nr; ) {
            int j = j0 + c, oy = j / ow, ox = j % ow, len = Math.min(nr - c, ow - ox), from = oy * qw + ox;
            int whole = len / VL * VL;
            VectorMask<Float> tail = S.indexInRange(whole, len);
            for (int p = 0, dst = bOff + c; p < rowBase.length; p++, dst += NR) {
                int src = rowBase[p] + from;
                for (int v = 0; v < whole; v += VL) {
                    FloatVector.fromArray(S, planes, src + v).intoArray(b, dst + v);
                }
                if (whole < len) {
                    FloatVector.fromArray(S, planes, src + whole, tail).intoArray(b, dst + whole, tail);
                }
            }
            c += len;
        }
    }

    /** Tile rows r < mr, columns [0, nr), to output channel rows {@code y[yOff + r·ohw ...]}, with bias and floor. */
    private static void store(float[] tile, int mr, int nr, float[] bias, int bias0, FloatVector floor, float[] y,
                              int yOff, int ohw) {
        int whole = nr / VL * VL;
        VectorMask<Float> tail = S.indexInRange(whole, nr);
        for (int r = 0, src = 0, dst = yOff; r < mr; r++, src += NR, dst += ohw) {
            FloatVector b = FloatVector.broadcast(S, bias == null ? 0f : bias[bias0 + r]);
            for (int v = 0; v < whole; v += VL) {
                FloatVector.fromArray(S, tile, src + v).add(b).max(floor).intoArray(y, dst + v);
            }
            if (whole < nr) {
                FloatVector.fromArray(S, tile, src + whole, tail).add(b).max(floor).intoArray(y, dst + whole, tail);
            }
        }
    }
}
