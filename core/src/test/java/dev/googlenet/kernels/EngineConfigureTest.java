package dev.googlenet.kernels;

import dev.googlenet.kernels.EngineOptions.KernelChoice;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Engine#configure} before and after the engine's first use. Each scenario runs in an engine of its own
 * ({@link FreshEngine}): the pool and the kernel family are fixed once per class loader.
 */
class EngineConfigureTest {

    @Test
    void configureBeforeFirstUseSetsThePoolAndTheKernels() {
        FreshEngine.run(ScalarWithThreeThreads.class);
    }

    public static final class ScalarWithThreeThreads implements Runnable {
        @Override
        public void run() {
            EngineOptions options = new EngineOptions(3, KernelChoice.SCALAR);
            Engine.configure(options);
            assertEquals(options, Engine.options());
            assertEquals(3, Parallel.get().threads());
            assertFalse(Kernels.vector());
            assertTrue(Kernels.scalar());
            assertInstanceOf(ScalarGemm.class, Kernels.gemm());
            try (Parallel two = new Parallel(2)) {
                assertInstanceOf(ScalarGemm.class, Kernels.gemm(two));
            }
            assertEquals("ScalarGemm", Kernels.describe());
            Engine.configure(options); // the same settings again: allowed
            Parallel.setThreads(3);

            IllegalStateException threads = assertThrows(IllegalStateException.class,
                    () -> Engine.configure(options.withThreads(2)));
            assertEquals("the engine's thread pool already runs with 3 threads, so it cannot take 2: configure the "
                    + "engine before its first use", threads.getMessage());
            assertThrows(IllegalStateException.class, () -> Parallel.setThreads(4));
            IllegalStateException kernels = assertThrows(IllegalStateException.class,
                    () -> Engine.configure(options.withKernels(KernelChoice.VECTOR)));
            assertEquals("the engine already runs its scalar kernels, so it cannot switch to the vector ones "
                    + "(kernels=vector): configure the engine before its first use", kernels.getMessage());
            // auto means vector where the module is present (the test JVM has it): also a switch
            assertTrue(Engine.vectorModulePresent(), "the tests run with --add-modules jdk.incubator.vector");
            assertThrows(IllegalStateException.class, () -> Engine.configure(options.withKernels(KernelChoice.AUTO)));
            assertEquals(options, Engine.options(), "a refused configure changes nothing");
        }
    }

    @Test
    void theLastConfigureBeforeFirstUseWins() {
        FreshEngine.run(LastConfigureWins.class);
    }

    public static final class LastConfigureWins implements Runnable {
        @Override
        public void run() {
            Engine.configure(new EngineOptions(2, KernelChoice.SCALAR));
            Engine.configure(new EngineOptions(1, KernelChoice.VECTOR));
            assertTrue(Kernels.vector());
            assertInstanceOf(VectorGemm.class, Kernels.gemm());
            assertEquals(1, Parallel.get().threads());
        }
    }

    @Test
    void kernelsMayStillBeChosenAfterThePoolStarted() {
        FreshEngine.run(PoolBeforeKernels.class);
    }

    public static final class PoolBeforeKernels implements Runnable {
        @Override
        public void run() {
            int threads = Parallel.get().threads(); // first use of the pool: options from the system properties
            assertEquals(EngineOptions.fromSystemProperties().threads(), threads);
            Engine.configure(new EngineOptions(threads, KernelChoice.SCALAR)); // kernels not fixed yet
            assertTrue(Kernels.scalar());
            assertThrows(IllegalStateException.class,
                    () -> Engine.configure(new EngineOptions(threads + 1, KernelChoice.SCALAR)));
        }
    }

    @Test
    void withoutConfigureTheFirstUseTakesTheSystemProperties() {
        FreshEngine.run(FromSystemProperties.class);
    }

    public static final class FromSystemProperties implements Runnable {
        @Override
        public void run() {
            EngineOptions expected = EngineOptions.fromSystemProperties();
            boolean vector = Kernels.vector(); // first use
            assertEquals(expected.kernels() != KernelChoice.SCALAR, vector, expected.toString());
            assertEquals(expected, Engine.options());
            assertEquals(expected.threads(), Parallel.get().threads());
            Engine.configure(expected); // what it runs with: allowed
        }
    }

    @Test
    void vectorKernelsWhenAskedForAndPresent() {
        FreshEngine.run(VectorAskedFor.class);
    }

    public static final class VectorAskedFor implements Runnable {
        @Override
        public void run() {
            Engine.configure(EngineOptions.defaults().withKernels(KernelChoice.VECTOR));
            assertTrue(Kernels.vector());
            Engine.configure(EngineOptions.defaults().withKernels(KernelChoice.AUTO)); // auto is vector here
            assertEquals(KernelChoice.AUTO, Engine.options().kernels());
        }
    }

    @Test
    void theTestJvmRunsTheVectorKernels() {
        requireVectorKernels();
        assertInstanceOf(VectorGemm.class, Kernels.gemm());
        try (Parallel one = new Parallel(1)) {
            Gemm g = Kernels.gemm(one);
            assertInstanceOf(VectorGemm.class, g);
            // [1 2; 3 4] · [5 6; 7 8]
            float[] c = new float[4];
            g.sgemm(false, false, 2, 2, 2, new float[] {1, 2, 3, 4}, 0, 2, new float[] {5, 6, 7, 8}, 0, 2, 0f, c, 0, 2);
            assertArrayEquals(new float[] {19, 22, 43, 50}, c);
        }
    }

    /**
     * For tests that reach the vector kernels through a facade ({@link Pooling#maxPool}, {@link Winograd3x3}, …):
     * with the scalar kernels they would compare the references with themselves.
     */
    static void requireVectorKernels() {
        assertTrue(Engine.vectorModulePresent() && Kernels.vector(),
                "these tests check the vector kernels: run them with --add-modules jdk.incubator.vector and "
                        + "googlenet.kernels unset or auto");
    }
}
