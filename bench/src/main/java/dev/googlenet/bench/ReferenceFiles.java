package dev.googlenet.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared/reference} and {@code ../shared/images} (or {@code -Dgooglenet.shared=DIR} /
 * {@code GOOGLENET_SHARED}).
 */
final class ReferenceFiles {
    private ReferenceFiles() {
    }

    static Path file(String name) {
        return shared("reference", name);
    }

    /** An image of {@code ../shared/images}. */
    static Path image(String name) {
        return shared("images", name);
    }

    private static Path shared(String folder, String name) {
        String configured = System.getProperty("googlenet.shared", System.getenv("GOOGLENET_SHARED"));
        if (configured != null && !configured.isBlank()) {
            return require(Path.of(configured).resolve(folder).resolve(name));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared").resolve(folder).resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("reference file " + name + " not found: put the shared data beside the "
                + "checkout (../shared) or set GOOGLENET_SHARED=DIR");
    }

    private static Path require(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("reference file not found: " + p);
        }
        return p;
    }
}
