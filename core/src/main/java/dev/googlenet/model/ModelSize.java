package dev.googlenet.model;

/**
 * How many parameters (and buffers) a {@link GoogLeNet} of a configuration holds, bounded from above without
 * building it, so that a configuration read from a file can be refused before anything is allocated.
 *
 * <p>The bound: a layer's channel count {@code c} (16 or more everywhere in GoogLeNet) becomes
 * {@code max(1, round(c·w))} ≤ {@code c·f} with {@code f = w + 1/16}, so each convolution's weights are at most
 * its width-1 count times {@code f²}, and biases and BatchNorm at most theirs times {@code f}. The constants are
 * width-1 counts of the larger variant (paper), rounded up, split by how they grow: with f², with f, with each
 * class, with each input channel, or not at all (the 224-input aux heads' first classifier). Never below the
 * truth and within 2.5× of it at widths ≥ 1/4 ({@code ModelSizeTest}, against built models).
 */
public final class ModelSize {
    /** Trunk convolution weights without conv1 and fc, width 1 (paper 5.96M, torchvision 5.6M with BN folded out). */
    private static final double TRUNK_WEIGHTS = 6_000_000;
    /** Per-channel parameters of the trunk (biases; BatchNorm's weight, bias, mean and variance), width 1. */
    private static final double TRUNK_CHANNELS = 50_000;
    /** One 224-input aux head's parts that keep their size: fc1's 2048×1024 weights and its bias. */
    private static final double AUX_FIXED = 2_100_000;
    /** One 224-input aux head's 1×1 convolution (528×128 at most) and its per-channel parameters, width 1. */
    private static final double AUX_CONV = 70_000;
    /** One small-input aux head's convolution and fc1 weights, which all scale, width 1 (528×128 + 512×1024). */
    private static final double SMALL_AUX_WEIGHTS = 600_000;
    /** One small-input aux head's per-channel parameters, width 1. */
    private static final double SMALL_AUX_CHANNELS = 2_000;
    /** conv1 weights per input channel at width 1: 64 filters of 7×7 (the small stem's 3×3 is less). */
    private static final double PER_INPUT_CHANNEL = 64 * 49;
    /** Features the classifiers read at width 1 (fc; aux fc2). */
    private static final double FEATURES = 1024;

    private ModelSize() {
    }

    /** An upper bound of the parameters and buffers of {@code config}'s model (as a double: it may be huge). */
    public static double parameters(GoogLeNetConfig config) {
        return parameters(config.width(), config.numClasses(), config.inputChannels(), config.auxHeads(),
                config.smallInput());
    }

    /** As {@link #parameters(GoogLeNetConfig)}, from the raw values (before a config checks them). */
    public static double parameters(double width, long numClasses, long inputChannels, boolean auxHeads,
                                    boolean smallInput) {
        double f = width + 1.0 / 16;
        double heads = auxHeads ? 2 : 0;
        double trunk = TRUNK_WEIGHTS * f * f + TRUNK_CHANNELS * f + PER_INPUT_CHANNEL * f * inputChannels;
        double aux = smallInput ? SMALL_AUX_WEIGHTS * f * f + SMALL_AUX_CHANNELS * f : AUX_FIXED + AUX_CONV * f;
        double auxFeatures = smallInput ? FEATURES * f : FEATURES;
        return trunk + heads * aux + numClasses * ((FEATURES * f + 1) + heads * (auxFeatures + 1));
    }
}
