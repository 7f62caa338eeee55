package dev.googlenet.spark;

import dev.googlenet.infer.LoadedModel;
import dev.googlenet.infer.Models;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The models loaded in this JVM (an executor, or the driver in local mode), by digest: the first task that needs a
 * model loads it from the broadcast bytes, every later task of the JVM shares it. A {@link LoadedModel} runs on an
 * immutable, thread-safe inference plan, so concurrent tasks may use one instance.
 */
final class ExecutorModels {
    private static final ConcurrentMap<String, LoadedModel> LOADED = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    static LoadedModel get(ModelBytes model) {
        // computeIfAbsent: a second task asking while the first loads waits for it instead of loading again
        return LOADED.computeIfAbsent(model.digest(), d -> load(model));
    }

    /** How many models this JVM holds (for tests: one model shared by all tasks). */
    static int loadedCount() {
        return LOADED.size();
    }

    private static LoadedModel load(ModelBytes model) {
        try {
            // the loader reads files: a private folder, the file under its own name (its extension says its kind)
            Path dir = Files.createTempDirectory("googlenet-model");
            Path file = dir.resolve(model.fileName());
            try {
                Files.write(file, model.bytes());
                return Models.load(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(model.fileName() + ": cannot load the model on this executor: "
                    + e.getMessage(), e);
        }
    }
}
