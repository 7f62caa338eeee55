package dev.googlenet.kernels;

import java.util.Locale;

/**
 * Picks the kernel implementations the engine uses. {@code -Dgooglenet.kernels=scalar} forces the plain
 * reference kernels (slow, for checking); the default is the fastest available.
 */
public final class Kernels {
    private static final Gemm GEMM = chooseGemm();

    private Kernels() {
    }

    private static final boolean SCALAR = GEMM instanceof ScalarGemm;

    /** True when the plain references are forced ({@code -Dgooglenet.kernels=scalar}). */
    public static boolean scalar() {
        return SCALAR;
    }

    public static Gemm gemm() {
        return GEMM;
    }

    /** The name of the kernel family in use, for logs and benchmarks. */
    public static String describe() {
        return GEMM.getClass().getSimpleName();
    }

    private static Gemm chooseGemm() {
        String choice = System.getProperty("googlenet.kernels", "auto").toLowerCase(Locale.ROOT);
        return switch (choice) {
            case "scalar" -> new ScalarGemm();
            case "auto", "vector" -> new VectorGemm();
            default -> throw new IllegalArgumentException(
                    "googlenet.kernels must be auto, vector or scalar, not '" + choice + "'");
        };
    }
}
