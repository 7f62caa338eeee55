package dev.googlenet.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's reference data ({@code ../shared} beside the checkout). The path can be set with
 * {@code -Dgooglenet.shared=DIR} or {@code GOOGLENET_SHARED=DIR}; otherwise it is searched upwards from the
 * working directory. Tests skip with a clear message when it is absent, and fail when {@code CI=true}.
 */
public final class SharedData {
    private SharedData() {
    }

    /** The shared folder, or a skipped (locally) / failed (CI) test when it is missing. */
    public static Path root() {
        Path found = locate();
        if (found == null) {
            String msg = "reference data ../shared not found (set -Dgooglenet.shared=DIR or GOOGLENET_SHARED)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(msg + " — required when CI=true");
            }
            Assumptions.abort(msg + " — skipping");
        }
        return found;
    }

    /** A file under the shared folder; missing files fail (locally too) because the folder itself exists. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            throw new AssertionError("reference file missing: " + p);
        }
        return p;
    }

    private static Path locate() {
        String configured = System.getProperty("googlenet.shared", System.getenv("GOOGLENET_SHARED"));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            return Files.isDirectory(p.resolve("reference")) ? p.toAbsolutePath().normalize() : null;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (candidate != null && Files.isDirectory(candidate.resolve("reference"))) {
                return candidate.normalize();
            }
        }
        return null;
    }
}
