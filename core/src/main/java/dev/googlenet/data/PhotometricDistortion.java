package dev.googlenet.data;

import java.util.random.RandomGenerator;

/**
 * Photometric distortions: brightness, contrast and saturation jitter in a random order (torchvision's
 * {@code ColorJitter}: factors drawn uniformly from {@code [1 − x, 1 + x]}; contrast blends with the mean gray
 * level, saturation with each pixel's gray value), then AlexNet's PCA lighting noise: the RGB shift
 * {@code eigvec · (α ∘ eigval)} with {@code α ~ N(0, lighting²)} and ImageNet's eigen-decomposition. Values stay
 * in [0, 1]. Saturation and lighting act on colour and leave gray (one-channel) images alone.
 */
public record PhotometricDistortion(double brightness, double contrast, double saturation, double lighting)
        implements Transform {

    /** ImageNet RGB eigenvalues (pixels in [0, 1]), as used by AlexNet-style lighting. */
    static final double[] EIGVAL = {0.2175, 0.0188, 0.0045};
    /** Their eigenvectors, one per column. */
    static final double[][] EIGVEC = {
            {-0.5675, 0.7192, 0.4009},
            {-0.5808, -0.0045, -0.8140},
            {-0.5836, -0.6948, 0.4203}};

    public PhotometricDistortion {
        if (!(brightness >= 0 && contrast >= 0 && saturation >= 0 && lighting >= 0)) {
            throw new IllegalArgumentException("photometric distortion strengths must be ≥ 0");
        }
    }

    /** Moderate defaults: 0.4 jitter of brightness, contrast and saturation, lighting σ 0.1. */
    public static PhotometricDistortion standard() {
        return new PhotometricDistortion(0.4, 0.4, 0.4, 0.1);
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        float[] x = image.data().clone();
        int c = image.channels(), plane = image.planeSize();
        boolean rgb = c == 3;
        // the draws happen in a fixed sequence whatever applies, so one image's choices never shift another's
        int[] order = {0, 1, 2};
        for (int i = 2; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        double fb = factor(brightness, random), fc = factor(contrast, random), fs = factor(saturation, random);
        double[] alpha = {random.nextGaussian() * lighting, random.nextGaussian() * lighting,
                random.nextGaussian() * lighting};
        for (int op : order) {
            switch (op) {
                case 0 -> {
                    if (brightness > 0) {
                        for (int i = 0; i < x.length; i++) {
                            x[i] = clamp((float) (x[i] * fb));
                        }
                    }
                }
                case 1 -> {
                    if (contrast > 0) {
                        double mean = 0;
                        for (int i = 0; i < plane; i++) {
                            mean += gray(x, i, plane, rgb);
                        }
                        mean /= plane;
                        for (int i = 0; i < x.length; i++) {
                            x[i] = clamp((float) (mean + fc * (x[i] - mean)));
                        }
                    }
                }
                default -> {
                    if (saturation > 0 && rgb) {
                        for (int i = 0; i < plane; i++) {
                            double g = gray(x, i, plane, true);
                            for (int ch = 0; ch < 3; ch++) {
                                x[ch * plane + i] = clamp((float) (g + fs * (x[ch * plane + i] - g)));
                            }
                        }
                    }
                }
            }
        }
        if (lighting > 0 && rgb) {
            for (int ch = 0; ch < 3; ch++) {
                double shift = 0;
                for (int k = 0; k < 3; k++) {
                    shift += EIGVEC[ch][k] * alpha[k] * EIGVAL[k];
                }
                float s = (float) shift;
                for (int i = ch * plane, end = i + plane; i < end; i++) {
                    x[i] = clamp(x[i] + s);
                }
            }
        }
        return new FloatImage(c, image.height(), image.width(), x);
    }

    private static double factor(double strength, RandomGenerator random) {
        double lo = Math.max(0, 1 - strength), hi = 1 + strength;
        return lo + (hi - lo) * random.nextDouble();
    }

    /** ITU-R 601-2 luma, as Pillow's {@code convert("L")} and torchvision's {@code rgb_to_grayscale}. */
    private static double gray(float[] x, int i, int plane, boolean rgb) {
        return rgb ? 0.299 * x[i] + 0.587 * x[plane + i] + 0.114 * x[2 * plane + i] : x[i];
    }

    private static float clamp(float v) {
        return Math.min(1f, Math.max(0f, v));
    }
}
