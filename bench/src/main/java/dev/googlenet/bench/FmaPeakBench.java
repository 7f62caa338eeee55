package dev.googlenet.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The machine's FMA peak as Java sees it: 12 independent vector accumulators (enough to cover FMA latency ×
 * throughput), no memory traffic. Run with one JMH thread per core; the score is FMA instructions per second.
 */
@State(Scope.Thread)
public class FmaPeakBench {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int ITERATIONS = 1 << 16;
    /** Floating-point operations per invocation: 12 accumulators × lanes × 2 (multiply + add) × iterations. */
    static final long FLOPS_PER_OP = 12L * S.length() * 2 * ITERATIONS;

    private final FloatVector a = FloatVector.broadcast(S, 0.999999f);
    private final FloatVector b = FloatVector.broadcast(S, 1e-7f);

    @Benchmark
    @OperationsPerInvocation(1)
    public float fma() {
        FloatVector x = a, y = b;
        FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int i = 0; i < ITERATIONS; i++) {
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
                .reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
