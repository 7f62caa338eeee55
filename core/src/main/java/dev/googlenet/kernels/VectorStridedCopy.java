package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API body of {@link StridedCopy} (loaded only when the vector kernels run). */
final class VectorStridedCopy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Lanes 0, 2, 4, … of two vectors side by side (an index past the first vector selects from the second). */
    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(S, i -> 2 * i);

    private VectorStridedCopy() {
    }

    /** {@code dst[d + q] = src[from + q·stride]} for q in [0, n). */
    static void pick(float[] src, int from, int stride, float[] dst, int d, int n) {
        int q = 0;
        if (stride == 2) {
            for (; q + VL <= n && from + 2 * VL <= src.length; q += VL, from += 2 * VL) {
                FloatVector.fromArray(S, src, from).rearrange(EVEN_LANES, FloatVector.fromArray(S, src, from + VL))
                        .intoArray(dst, d + q);
            }
        }
        for (; q < n; q++, from += stride) {
            dst[d + q] = src[from];
        }
    }
}
