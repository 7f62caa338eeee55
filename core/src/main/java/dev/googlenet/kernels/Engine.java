package dev.googlenet.kernels;

import java.util.Objects;

/**
 * Applies the {@link EngineOptions} to the engine's two process-wide resources: the thread pool
 * ({@link Parallel#get()}) and the kernel family ({@link Kernels}). Both are fixed when first used, since
 * layers keep the GEMM they were built with and the pool's workers run for the life of the JVM; so
 * {@link #configure} must come before the first model is built or run. Without it, the first use takes
 * {@link EngineOptions#fromSystemProperties()}.
 */
public final class Engine {
    /** The module the vector kernels need ({@code --add-modules jdk.incubator.vector}). */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** Printed once to stderr when {@link EngineOptions.KernelChoice#AUTO} falls back to the scalar kernels. */
    public static final String SCALAR_NOTICE = "googlenet: " + VECTOR_MODULE + " is not available; running scalar "
            + "kernels (add --add-modules " + VECTOR_MODULE + " for speed)";

    private static final boolean VECTOR_MODULE_PRESENT =
            ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();

    /** Guards {@link #configured}, {@link #kernelsResolved} and the creation of the engine pool. */
    static final Object LOCK = new Object();
    /** The options given to {@link #configure}, or those the first use took; null before either. */
    private static EngineOptions configured;
    /** Whether the vector kernels run, once {@link Kernels} has been initialized; null before. */
    private static Boolean kernelsResolved;

    private Engine() {
    }

    /**
     * Makes {@code options} the engine's. Allowed any number of times before the engine's first use, and
     * afterwards with settings equal to those it already runs with.
     *
     * @throws IllegalStateException when {@link EngineOptions.KernelChoice#VECTOR} is asked for without the
     *                               {@value #VECTOR_MODULE} module, or when the pool or the kernels already run
     *                               with other settings
     */
    public static void configure(EngineOptions options) {
        Objects.requireNonNull(options, "options");
        boolean vector = vectorKernelsFor(options.kernels());
        synchronized (LOCK) {
            Parallel pool = Parallel.started();
            if (pool != null && pool.threads() != options.threads()) {
                throw new IllegalStateException("the engine's thread pool already runs with " + pool.threads()
                        + " threads, so it cannot take " + options.threads() + ": configure the engine before its "
                        + "first use");
            }
            if (kernelsResolved != null && kernelsResolved != vector) {
                throw new IllegalStateException("the engine already runs its " + family(kernelsResolved)
                        + " kernels, so it cannot switch to the " + family(vector) + " ones (kernels="
                        + options.kernels().propertyValue() + "): configure the engine before its first use");
            }
            configured = options;
        }
    }

    /** The options in force: those configured or taken at first use, else what the system properties say now. */
    public static EngineOptions options() {
        synchronized (LOCK) {
            return configured != null ? configured : EngineOptions.fromSystemProperties();
        }
    }

    /** Whether the {@value #VECTOR_MODULE} module is in this JVM (the vector kernels can run). */
    public static boolean vectorModulePresent() {
        return VECTOR_MODULE_PRESENT;
    }

    /** The options at first use: fixed from here on (a later {@link #configure} must agree with them). */
    private static EngineOptions optionsAtFirstUse() {
        assert Thread.holdsLock(LOCK);
        if (configured == null) {
            configured = EngineOptions.fromSystemProperties();
        }
        return configured;
    }

    /** The engine pool's thread count, when {@link Parallel#get()} creates it (under {@link #LOCK}). */
    static int poolThreads() {
        return optionsAtFirstUse().threads();
    }

    /**
     * Fixes the kernel family, from {@link Kernels}' initializer: the vector kernels, or the scalar ones (with
     * {@link #SCALAR_NOTICE} when {@code AUTO} had to fall back).
     */
    static boolean resolveKernels() {
        synchronized (LOCK) {
            EngineOptions.KernelChoice choice = optionsAtFirstUse().kernels();
            boolean vector = vectorKernelsFor(choice);
            if (!vector && choice == EngineOptions.KernelChoice.AUTO) {
                System.err.println(SCALAR_NOTICE);
            }
            kernelsResolved = vector;
            return vector;
        }
    }

    private static boolean vectorKernelsFor(EngineOptions.KernelChoice choice) {
        return switch (choice) {
            case SCALAR -> false;
            case AUTO -> VECTOR_MODULE_PRESENT;
            case VECTOR -> {
                if (!VECTOR_MODULE_PRESENT) {
                    throw new IllegalStateException(EngineOptions.KERNELS_PROPERTY + "=vector needs the "
                            + VECTOR_MODULE + " module: run java with --add-modules " + VECTOR_MODULE
                            + " (or choose auto or scalar)");
                }
                yield true;
            }
        };
    }

    private static String family(boolean vector) {
        return vector ? "vector" : "scalar";
    }
}
