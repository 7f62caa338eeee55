package dev.googlenet.kernels;

import java.util.Locale;
import java.util.Objects;
import java.util.Properties;

/**
 * What a user may set about the engine, with its defaults and its checks in one place. Applied with
 * {@link Engine#configure(EngineOptions)} before the engine's first use; without that call the engine takes
 * {@link #fromSystemProperties()} when it first runs.
 *
 * <p>Tuning constants of single kernels (GEMM blocking, Winograd tile groups) are deliberately not options: they
 * are measured choices, fixed in the code; benchmarks and tests that need other values pass them to the kernel.
 *
 * @param threads threads of the engine's pool, the calling thread included: at least 1 (default: the available
 *                processors)
 * @param kernels which kernel family runs (default {@link KernelChoice#AUTO})
 */
public record EngineOptions(int threads, KernelChoice kernels) {
    /** System property for {@link #threads}: a positive integer; unset or blank means the default. */
    public static final String THREADS_PROPERTY = "googlenet.threads";
    /** System property for {@link #kernels}: {@code auto}, {@code vector} or {@code scalar} (any case). */
    public static final String KERNELS_PROPERTY = "googlenet.kernels";

    /** The kernel family. */
    public enum KernelChoice {
        /** The Vector API kernels when the {@code jdk.incubator.vector} module is present, else the scalar ones. */
        AUTO,
        /** The Vector API kernels; without the module the engine refuses to start. */
        VECTOR,
        /** The plain scalar reference kernels: slow, for checking results and for JVMs without the module. */
        SCALAR;

        /** The name used in {@link #KERNELS_PROPERTY} and on the command line. */
        public String propertyValue() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@code auto}, {@code vector} or {@code scalar}, in any case, ignoring blanks around it. */
        public static KernelChoice parse(String value) {
            Objects.requireNonNull(value, "value");
            for (KernelChoice c : values()) {
                if (c.propertyValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
                    return c;
                }
            }
            throw new IllegalArgumentException(KERNELS_PROPERTY + " must be auto, vector or scalar, not '" + value
                    + "'");
        }
    }

    public EngineOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        Objects.requireNonNull(kernels, "kernels (auto, vector or scalar) must not be null");
    }

    /** All defaults: one thread per available processor, {@link KernelChoice#AUTO}. */
    public static EngineOptions defaults() {
        return new EngineOptions(Runtime.getRuntime().availableProcessors(), KernelChoice.AUTO);
    }

    public EngineOptions withThreads(int threads) {
        return new EngineOptions(threads, kernels);
    }

    public EngineOptions withKernels(KernelChoice kernels) {
        return new EngineOptions(threads, kernels);
    }

    /**
     * The defaults overridden by the system properties {@value #THREADS_PROPERTY} and {@value #KERNELS_PROPERTY}:
     * the only place the engine reads system properties.
     *
     * @throws IllegalArgumentException naming the property, when one is set to a value it cannot take
     */
    public static EngineOptions fromSystemProperties() {
        return fromProperties(System.getProperties());
    }

    /** As {@link #fromSystemProperties()}, from the given properties (unset or blank entries keep the default). */
    public static EngineOptions fromProperties(Properties properties) {
        EngineOptions o = defaults();
        String threads = properties.getProperty(THREADS_PROPERTY);
        if (threads != null && !threads.isBlank()) {
            o = o.withThreads(parseThreads(threads));
        }
        String kernels = properties.getProperty(KERNELS_PROPERTY);
        if (kernels != null && !kernels.isBlank()) {
            o = o.withKernels(KernelChoice.parse(kernels));
        }
        return o;
    }

    private static int parseThreads(String s) {
        int n;
        try {
            n = Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be a positive integer, not '" + s + "'", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException(THREADS_PROPERTY + " must be a positive integer, not '" + s + "'");
        }
        return n;
    }
}
