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
 * are packed, {@link PackedFilters}), stored with bias and ReLU.
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
        for (int j0 = oy0 * ow; j0 < jEnd; j0 += NR) {
            int nr = Math.min(NR, jEnd - j0);
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
