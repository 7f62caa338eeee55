package dev.googlenet.model;

/**
 * How many parameters (and buffers) a {@link GoogLeNet} of a configuration holds, bounded from above without
 * building it, so that a configuration read from a file can be refused before anything is allocated.
 *
 * <p>The bound: a layer's channel count {@code c} (16 or more everywhere in GoogLeNet) becomes
 * {@code max(1, round(c·w))} ≤ {@code c·(w + 1/16)}, so each convolution's weights are at most its width-1 count
 * times {@code (w + 1/16)²}. The constants are the width-1 counts of the larger variant (paper), split into what
 * does not depend on the configuration's free integers and what grows with each class and input channel. Exact
 * for no configuration, never below the truth (tested against built models), within about 2× at widths ≥ 1/4.
 */
public final class ModelSize {
    /** Trunk without conv1 and fc, width 1 (paper: 5,964,144; torchvision 5,605,056). */
    private static final double TRUNK = 6_000_000;
    /** Both auxiliary heads without their last layer's class outputs, width 1 (paper: 4,329,728). */
    private static final double AUX = 4_400_000;
    /** conv1 weights per input channel at width 1: 64 filters of 7×7 (the small stem's 3×3 is less). */
    private static final double PER_INPUT_CHANNEL = 64 * 49;
    /** Classifier inputs per class at width 1: fc's 1024 weights and a bias. */
    private static final double PER_CLASS = 1025;

    private ModelSize() {
    }

    /** An upper bound of the parameters and buffers of {@code config}'s model (as a double: it may be huge). */
    public static double parameters(GoogLeNetConfig config) {
        return parameters(config.width(), config.numClasses(), config.inputChannels(), config.auxHeads());
    }

    /** As {@link #parameters(GoogLeNetConfig)}, from the raw values (before a config checks them). */
    public static double parameters(double width, long numClasses, long inputChannels, boolean auxHeads) {
        double f = width + 1.0 / 16;
        double area = Math.max(f, f * f); // biases and BatchNorm grow with f, weights with f²
        double heads = auxHeads ? 2 : 0;
        return TRUNK * area + heads * AUX * Math.max(1, area) + PER_INPUT_CHANNEL * f * inputChannels
                + PER_CLASS * (f + heads * Math.max(1, f)) * numClasses;
    }
}
