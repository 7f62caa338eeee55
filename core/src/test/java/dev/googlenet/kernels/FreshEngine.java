package dev.googlenet.kernels;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs test code against an engine of its own: the class path loaded again by a new class loader, so that the
 * engine's process-wide state ({@link Engine}, the pool, the kernel family in {@link Kernels}) starts unset, as in
 * a fresh JVM, while the test JVM's own engine is left alone. Only JDK types cross between the two.
 */
final class FreshEngine {
    private FreshEngine() {
    }

    /** Instantiates {@code type} (public, with a public no-argument constructor) in a fresh engine and runs it. */
    static void run(Class<? extends Runnable> type) {
        try (URLClassLoader loader = loader()) {
            ((Runnable) instance(loader, type)).run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #run}, for a supplier of a result made of JDK types. */
    @SuppressWarnings("unchecked")
    static <T> T get(Class<? extends Supplier<T>> type) {
        try (URLClassLoader loader = loader()) {
            return ((Supplier<T>) instance(loader, type)).get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object instance(ClassLoader loader, Class<?> type) {
        try {
            Class<?> copy = Class.forName(type.getName(), true, loader);
            if (copy.getClassLoader() != loader) {
                throw new IllegalStateException(type + " came from " + copy.getClassLoader() + ", not a fresh loader");
            }
            return copy.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + type + " in a fresh engine", e);
        }
    }

    /** The test class path, with the platform loader as parent (so that nothing of ours is shared). */
    private static URLClassLoader loader() {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                urls.add(Path.of(entry).toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalStateException(entry, e);
            }
        }
        return new URLClassLoader("fresh-engine", urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
    }
}
