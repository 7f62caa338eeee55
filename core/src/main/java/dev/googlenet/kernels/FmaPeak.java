package dev.googlenet.kernels;

import java.util.concurrent.atomic.DoubleAdder;

/**
 * The machine's FMA peak as the kernels in use reach it (Vector API vectors, or floats with the scalar kernels):
 * 12 independent accumulators per thread (enough to hide FMA latency), no memory traffic, one thread per core.
 * The yardstick for "% of peak" figures.
 */
public final class FmaPeak {
    static final int ITERATIONS = 1 << 12;

    private FmaPeak() {
    }

    /** Peak GFLOP/s over {@code threads} threads, the best of {@code rounds} rounds of about 100 ms. */
    public static double gflops(int threads, int rounds) {
        double best = 0;
        float warm = 0;
        for (int i = 0; i < 20_000; i++) { // compiled (C2) before anything is timed
            warm += kernel(0.5f + warm * 1e-30f) * 1e-30f;
        }
        for (int r = 0; r < rounds; r++) {
            DoubleAdder flops = new DoubleAdder();
            Thread[] ts = new Thread[threads];
            long start = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                ts[t] = new Thread(() -> {
                    long n = 0;
                    long end = System.nanoTime() + 100_000_000L;
                    float sink = 0;
                    while (System.nanoTime() < end) {
                        sink += kernel(0.999999f + sink * 1e-30f);
                        n++;
                    }
                    flops.add(n * (double) FLOPS_PER_CALL + (sink == 42 ? 1 : 0));
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return best;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            best = Math.max(best, flops.sum() / seconds / 1e9);
        }
        return warm == 42 ? best + 1e-9 : best;
    }

    /** Floating-point operations of one {@link #kernel} call. */
    public static final long FLOPS_PER_CALL = Kernels.VECTOR ? VectorFmaPeak.FLOPS_PER_CALL : 12L * 2 * ITERATIONS;

    /**
     * One burst of FMAs on 12 independent accumulators, vectors or (scalar kernels) floats; returns their sum so the
     * JIT keeps the work.
     */
    public static float kernel(float seed) {
        return Kernels.VECTOR ? VectorFmaPeak.kernel(seed) : scalarKernel(seed);
    }

    /** {@link #kernel} on floats: the peak that scalar code can reach. */
    static float scalarKernel(float seed) {
        float x = seed, y = 1e-7f;
        float c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0, c8 = 0, c9 = 0, c10 = 0, c11 = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = Math.fma(x, c0, y);
            c1 = Math.fma(x, c1, y);
            c2 = Math.fma(x, c2, y);
            c3 = Math.fma(x, c3, y);
            c4 = Math.fma(x, c4, y);
            c5 = Math.fma(x, c5, y);
            c6 = Math.fma(x, c6, y);
            c7 = Math.fma(x, c7, y);
            c8 = Math.fma(x, c8, y);
            c9 = Math.fma(x, c9, y);
            c10 = Math.fma(x, c10, y);
            c11 = Math.fma(x, c11, y);
        }
        return c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
    }
}
