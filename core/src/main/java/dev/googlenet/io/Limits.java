package dev.googlenet.io;

import dev.googlenet.model.ModelSize;

import java.io.IOException;
import java.util.Locale;

/**
 * What a file may ask of this program. Values read from files are checked against these ranges before they are
 * used, and a model's size is checked before it is built: a file is data, and a few bytes of it must not be able
 * to request gigabytes (a {@code num_classes} of 10⁸, a width of 16, 2³¹−1 input channels).
 */
public final class Limits {
    /** Classes of a classifier: ImageNet-21k has 21,843; a million leaves room. */
    public static final int MAX_CLASSES = 1_000_000;
    /** Input channels: 1 (gray) or 3 (RGB) in practice; a few more for multispectral input. */
    public static final int MAX_INPUT_CHANNELS = 64;
    /** Width multiplier of a model read from a file (GoogLeNet at width 4 has ~95M parameters). */
    public static final double MAX_WIDTH = 4;
    /** Parameters of a model read from a file: 2²⁸ floats, 1 GiB (GoogLeNet has 6–13M). */
    public static final long MAX_PARAMETERS = 1L << 28;
    /** Epochs of a training run, and the epoch a checkpoint or weight file says it is. */
    public static final int MAX_EPOCHS = 100_000;
    /** Class names: their count is the model's; each at most this long. */
    public static final int MAX_CLASS_NAME = 1000;
    /** Side of a preprocessing resize or crop, in pixels. */
    public static final int MAX_IMAGE_SIDE = 16_384;
    /**
     * Copies of the weights loading needs at once (the file's bytes, the model, the inference plan's copy): the
     * heap must hold this many times the model.
     */
    static final int LOAD_COPIES = 3;
    /** How the user raises the Java heap (said wherever memory runs short). */
    public static final String RAISE_HEAP = "raise the Java heap with GOOGLENET_JAVA_OPTS=-Xmx<size> (e.g. -Xmx8g) "
            + "for bin/googlenet, or java -Xmx<size>";

    private Limits() {
    }

    /**
     * Refuses a model of this configuration before it is built when it would exceed {@link #MAX_PARAMETERS} or
     * the heap this Java may use. {@code file} and {@code what} name where the configuration came from.
     */
    public static void checkModelSize(String file, String what, double width, long numClasses, long inputChannels,
                                      boolean auxHeads, boolean smallInput) throws IOException {
        double params = ModelSize.parameters(width, numClasses, inputChannels, auxHeads, smallInput);
        String model = String.format(Locale.ROOT, "%s (width %s, %,d classes, %,d input channels) makes a model of "
                + "up to %,.0f parameters", what, width, numClasses, inputChannels, params);
        if (params > MAX_PARAMETERS) {
            throw new IOException(OneLine.of(file + ": " + model + "; allowed: at most "
                    + String.format(Locale.ROOT, "%,d", MAX_PARAMETERS)));
        }
        double bytes = params * Float.BYTES * LOAD_COPIES;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new IOException(OneLine.of(file + ": " + model + ", which needs about " + bytes(bytes)
                    + " of memory; this Java may use " + bytes(heap) + ": " + RAISE_HEAP));
        }
    }

    /** Bytes in words: "512 MB", "5.7 GB". */
    public static String bytes(double bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.0f MB", Math.ceil(bytes / 1e6));
    }
}
