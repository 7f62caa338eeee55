package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API burst of {@link FmaPeak} (loaded only when the vector kernels run). */
final class VectorFmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorFmaPeak() {
    }

    /** Floating-point operations of one {@link #kernel} call. */
    static final long FLOPS_PER_CALL = 12L * S.length() * 2 * FmaPeak.ITERATIONS;

    /** One burst of FMAs on 12 independent vector accumulators; returns their sum so the JIT keeps the work. */
    static float kernel(float seed) {
        FloatVector x = FloatVector.broadcast(S, seed), y = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < FmaPeak.ITERATIONS; i++) {
            c0 = x.fma(c0, y);
            c1 = x.fma(c1, y);
            c2 = x.fma(c2, y);
            c3 = x.fma(c3, y);
            c4 = x.fma(c4, y);
            c5 = x.fma(c5, y);
            c6 = x.fma(c6, y);
            c7 = x.fma(c7, y);
            c8 = x.fma(c8, y);
            c9 = x.fma(c9, y);
            c10 = x.fma(c10, y);
            c11 = x.fma(c11, y);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
