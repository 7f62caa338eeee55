package dev.googlenet.bench;

import dev.googlenet.kernels.FmaPeak;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The machine's FMA peak as Java sees it: the engine's own FMA burst ({@link FmaPeak#kernel}: 12 independent
 * vector accumulators, no memory traffic). Run with one JMH thread per core; the score is bursts per second.
 */
@State(Scope.Thread)
public class FmaPeakBench {
    /** Floating-point operations per invocation. */
    static final long FLOPS_PER_OP = FmaPeak.FLOPS_PER_CALL;

    private float seed = 0.999999f;

    /**
     * Not inlined into JMH's measurement loop: inlined there, C2's steady-state code ran at 71% of the speed it
     * reached in the second warm-up iteration and that the engine's own probe ({@link FmaPeak#gflops}) measures.
     */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public float fma() {
        return FmaPeak.kernel(seed);
    }
}
