package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without the {@code jdk.incubator.vector} module a class that names a vector type cannot be linked, so only the
 * {@code Vector*} classes may: the facades, which every JVM loads, must not (not in a field, a signature, a
 * constant or a method body). Checked on the compiled classes, whose constant pools hold every type they name.
 */
class VectorIsolationTest {
    private static final byte[] VECTOR_PACKAGE = "jdk/incubator/vector/".getBytes(StandardCharsets.UTF_8);

    @Test
    void onlyVectorClassesNameTheVectorApi() throws IOException, URISyntaxException {
        Path dir = Path.of(Kernels.class.getResource("Kernels.class").toURI()).getParent();
        List<String> naming;
        List<String> all;
        try (Stream<Path> files = Files.list(dir)) {
            all = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class")).sorted().toList();
        }
        naming = all.stream().filter(n -> contains(read(dir.resolve(n)), VECTOR_PACKAGE)).toList();
        assertTrue(all.contains("Winograd3x3.class") && all.contains("VectorGemm.class"), "classes found: " + all);
        assertTrue(naming.contains("VectorGemm.class"), "the check finds the vector classes: " + naming);
        assertEquals(List.of(), naming.stream().filter(n -> !n.startsWith("Vector")).toList(),
                "classes other than Vector* that name jdk.incubator.vector");
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
