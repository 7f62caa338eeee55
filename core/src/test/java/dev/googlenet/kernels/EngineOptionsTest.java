package dev.googlenet.kernels;

import dev.googlenet.kernels.EngineOptions.KernelChoice;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The options record: defaults, one check per field, and parsing of the two system properties. */
class EngineOptionsTest {
    private static final int CPUS = Runtime.getRuntime().availableProcessors();

    private static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void defaultsAreOneThreadPerProcessorAndAuto() {
        assertEquals(new EngineOptions(CPUS, KernelChoice.AUTO), EngineOptions.defaults());
        assertEquals(EngineOptions.defaults(), EngineOptions.fromProperties(new Properties()));
    }

    @Test
    void withersChangeOneField() {
        EngineOptions o = EngineOptions.defaults().withThreads(3).withKernels(KernelChoice.SCALAR);
        assertEquals(3, o.threads());
        assertEquals(KernelChoice.SCALAR, o.kernels());
        assertEquals(new EngineOptions(3, KernelChoice.VECTOR), o.withKernels(KernelChoice.VECTOR));
        assertEquals(new EngineOptions(7, KernelChoice.SCALAR), o.withThreads(7));
    }

    @Test
    void constructorRejectsEachBadValueWithItsOwnMessage() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> new EngineOptions(0, KernelChoice.AUTO));
        assertEquals("threads must be at least 1, not 0", zero.getMessage());
        assertEquals("threads must be at least 1, not -2", assertThrows(IllegalArgumentException.class,
                () -> EngineOptions.defaults().withThreads(-2)).getMessage());
        NullPointerException none = assertThrows(NullPointerException.class, () -> new EngineOptions(2, null));
        assertEquals("kernels (auto, vector or scalar) must not be null", none.getMessage());
    }

    @Test
    void parsesThreads() {
        assertEquals(3, EngineOptions.fromProperties(props("googlenet.threads", " 3 ")).threads());
        assertEquals(1, EngineOptions.fromProperties(props("googlenet.threads", "1")).threads());
        assertEquals(CPUS, EngineOptions.fromProperties(props("googlenet.threads", " ")).threads(), "blank: default");
        for (String bad : new String[] {"0", "-1", "two", "1.5", "99999999999"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> EngineOptions.fromProperties(props("googlenet.threads", bad)), bad);
            assertEquals("googlenet.threads must be a positive integer, not '" + bad + "'", e.getMessage());
        }
    }

    @Test
    void parsesKernelsInAnyCase() {
        assertEquals(KernelChoice.SCALAR, EngineOptions.fromProperties(props("googlenet.kernels", "scalar")).kernels());
        assertEquals(KernelChoice.VECTOR,
                EngineOptions.fromProperties(props("googlenet.kernels", " Vector")).kernels());
        assertEquals(KernelChoice.AUTO, EngineOptions.fromProperties(props("googlenet.kernels", "AUTO")).kernels());
        assertEquals(KernelChoice.AUTO, EngineOptions.fromProperties(props("googlenet.kernels", "")).kernels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EngineOptions.fromProperties(props("googlenet.kernels", "simd")));
        assertEquals("googlenet.kernels must be auto, vector or scalar, not 'simd'", e.getMessage());
        for (KernelChoice c : KernelChoice.values()) {
            assertEquals(c, KernelChoice.parse(c.propertyValue()));
        }
    }

    @Test
    void bothPropertiesTogether() {
        assertEquals(new EngineOptions(2, KernelChoice.SCALAR),
                EngineOptions.fromProperties(props("googlenet.threads", "2", "googlenet.kernels", "scalar")));
    }

    @Test
    void propertyNamesAreTheDocumentedOnes() {
        assertEquals("googlenet.threads", EngineOptions.THREADS_PROPERTY);
        assertEquals("googlenet.kernels", EngineOptions.KERNELS_PROPERTY);
    }
}
