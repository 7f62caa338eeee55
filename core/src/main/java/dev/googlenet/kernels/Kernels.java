package dev.googlenet.kernels;

import java.util.Objects;

/**
 * The kernel family the engine runs, fixed when this class is first used (see {@link Engine}): the Vector API
 * kernels, or the plain scalar references ({@link EngineOptions.KernelChoice}).
 *
 * <p>How the facades dispatch: each public kernel class here ({@link Pooling}, {@link Winograd3x3}, …) tests
 * {@link #VECTOR} once per call and calls either its {@code Vector*} twin, the only kind of class that touches
 * {@code jdk.incubator.vector}, or its scalar reference. {@link #VECTOR} is a static final, so the JIT folds the
 * test away, and without the module the {@code Vector*} classes are never loaded.
 */
public final class Kernels {
    /** True when the vector kernels run. Reading it the first time fixes the family (and may print the notice). */
    static final boolean VECTOR = Engine.resolveKernels();
    private static final Gemm GEMM = VECTOR ? VectorGemm.engine() : new ScalarGemm();

    private Kernels() {
    }

    /** True when the Vector API kernels run. */
    public static boolean vector() {
        return VECTOR;
    }

    /** True when the plain scalar references run (chosen, or the {@code jdk.incubator.vector} module is absent). */
    public static boolean scalar() {
        return !VECTOR;
    }

    /** The engine's GEMM (on the engine pool). */
    public static Gemm gemm() {
        return GEMM;
    }

    /**
     * A GEMM of the engine's family on {@code pool} instead of the engine's pool, for tests and benchmarks that
     * compare thread counts (the scalar GEMM runs on the calling thread whatever the pool).
     */
    public static Gemm gemm(Parallel pool) {
        Objects.requireNonNull(pool, "pool");
        return VECTOR ? VectorGemm.on(pool) : new ScalarGemm();
    }

    /** The name of the kernel family in use, for logs and benchmarks. */
    public static String describe() {
        return GEMM.getClass().getSimpleName();
    }
}
