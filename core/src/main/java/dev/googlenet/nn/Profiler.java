package dev.googlenet.nn;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time goes, per kind of layer and pass: wall time and multiply-adds of every leaf layer call made
 * through {@link #forward}/{@link #backward}. Off by default (one volatile read per call); the CLI's
 * {@code bench} turns it on. Composite layers (ConvBlock, Inception, Sequential) are not counted themselves —
 * their children are.
 */
public final class Profiler {
    private static volatile boolean enabled;
    private static volatile boolean byShape;
    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();
    /** Input shape of each layer's last forward, so its backward can be charged the right work. */
    private static final Map<Layer, int[]> INPUT_SHAPES = new java.util.IdentityHashMap<>();

    /** Accumulated time and work of one category. */
    public static final class Entry {
        public long nanos;
        public long multiplyAdds;
        public long calls;
    }

    private Profiler() {
    }

    public static void enable(boolean on) {
        enabled = on;
    }

    /** Convolutions one row per shape (channels in → out, input map) instead of per kernel kind. */
    public static void byShape(boolean on) {
        byShape = on;
    }

    /** Whether convolutions are reported per shape. */
    public static boolean byShapeEnabled() {
        return byShape;
    }

    public static synchronized void reset() {
        ENTRIES.clear();
        INPUT_SHAPES.clear();
    }

    public static synchronized Map<String, Entry> snapshot() {
        return new LinkedHashMap<>(ENTRIES);
    }

    /** Runs {@code layer.forward}, timing it when profiling is on. */
    public static dev.googlenet.tensor.Tensor forward(Layer layer, dev.googlenet.tensor.Tensor x, boolean training) {
        if (!enabled) {
            return layer.forward(x, training);
        }
        String category = category(layer, x.shape());
        if (category == null) {
            return layer.forward(x, training);
        }
        long t = System.nanoTime();
        dev.googlenet.tensor.Tensor y = layer.forward(x, training);
        add(category + " fwd", System.nanoTime() - t, layer.multiplyAdds(x.shape()));
        synchronized (Profiler.class) {
            INPUT_SHAPES.put(layer, x.shape());
        }
        return y;
    }

    /** Runs {@code layer.backward}, timing it when profiling is on (backward of a conv or linear is 2× its forward work). */
    public static dev.googlenet.tensor.Tensor backward(Layer layer, dev.googlenet.tensor.Tensor gradOut) {
        if (!enabled) {
            return layer.backward(gradOut);
        }
        int[] inputShape;
        synchronized (Profiler.class) {
            inputShape = INPUT_SHAPES.get(layer);
        }
        String category = inputShape == null ? null : category(layer, inputShape);
        if (category == null) {
            return layer.backward(gradOut);
        }
        long t = System.nanoTime();
        dev.googlenet.tensor.Tensor dx = layer.backward(gradOut);
        add(category + " bwd", System.nanoTime() - t, 2 * layer.multiplyAdds(inputShape));
        return dx;
    }

    /** Runs work done on behalf of {@code layer} (e.g. a fused inference path), charged to its category. */
    public static void time(Layer layer, int[] inputShape, Runnable work) {
        if (!enabled) {
            work.run();
            return;
        }
        long t = System.nanoTime();
        work.run();
        add(category(layer, inputShape) + " fwd", System.nanoTime() - t, layer.multiplyAdds(inputShape));
    }

    /** Runs {@code work} charged to {@code category} (e.g. "batchnorm+relu fwd" for a fused pair of layers). */
    public static dev.googlenet.tensor.Tensor timed(String category, long macs,
                                                    java.util.function.Supplier<dev.googlenet.tensor.Tensor> work) {
        if (!enabled) {
            return work.get();
        }
        long t = System.nanoTime();
        dev.googlenet.tensor.Tensor y = work.get();
        add(category, System.nanoTime() - t, macs);
        return y;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** Charges time and work to a category (for work that is not a layer, such as concatenation). */
    public static synchronized void add(String category, long nanos, long macs) {
        Entry e = ENTRIES.computeIfAbsent(category, k -> new Entry());
        e.nanos += nanos;
        e.multiplyAdds += macs;
        e.calls++;
    }

    /** A leaf layer's category, or null for composites. */
    static String category(Layer layer, int[] in) {
        String kind = switch (layer) {
            case Conv2d c -> byShape
                    ? String.format(Locale.ROOT, "conv %d×%d/%d %d→%d", c.kernelH(), c.kernelW(), c.stride(),
                            c.inChannels(), c.outChannels())
                    : String.format(Locale.ROOT, "conv %d×%d/%d", c.kernelH(), c.kernelW(), c.stride());
            case BatchNorm2d b -> "batchnorm";
            case Relu r -> "relu";
            case MaxPool2d p -> "max pool";
            case AvgPool2d p -> "avg pool";
            case AdaptiveAvgPool2d p -> "avg pool";
            case Lrn l -> "lrn";
            case Linear l -> "linear";
            case Dropout d -> "dropout";
            case Flatten f -> "flatten";
            default -> null;
        };
        if (kind == null || !byShape || in.length != 4) {
            return kind;
        }
        return layer instanceof Conv2d ? String.format(Locale.ROOT, "%s %d×%d", kind, in[2], in[3])
                : String.format(Locale.ROOT, "%s %d×%d×%d", kind, in[1], in[2], in[3]);
    }
}
