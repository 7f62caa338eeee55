package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Every s-th element of a row, packed: the split of an input row into column phases, before a strided convolution
 * or pooling. Stride 2 (every strided layer of GoogLeNet) picks one phase's lanes out of two loaded vectors; a
 * scalar loop spent 1–2 ns per element here, and Zen 4's vector gathers were slower still.
 */
public final class StridedCopy {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Lanes 0, 2, 4, … of two vectors side by side (an index past the first vector selects from the second). */
    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(S, i -> 2 * i);

    private StridedCopy() {
    }

    /** {@code dst[d + q] = src[from + q·stride]} for q in [0, n). */
    public static void pick(float[] src, int from, int stride, float[] dst, int d, int n) {
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

    /** Reference for {@link #pick}. */
    public static void pickReference(float[] src, int from, int stride, float[] dst, int d, int n) {
        for (int q = 0; q < n; q++) {
            dst[d + q] = src[from + q * stride];
        }
    }
}
