package dev.googlenet.data;

import java.util.random.RandomGenerator;

/** Mirrors the image left–right with probability {@code p} (one draw per image). */
public record HorizontalFlip(double p) implements Transform {

    public HorizontalFlip {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
        }
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        if (!(random.nextDouble() < p)) {
            return image;
        }
        return flip(image);
    }

    static FloatImage flip(FloatImage image) {
        int w = image.width(), rows = image.channels() * image.height();
        float[] in = image.data(), out = new float[in.length];
        for (int r = 0; r < rows; r++) {
            int off = r * w;
            for (int x = 0; x < w; x++) {
                out[off + x] = in[off + w - 1 - x];
            }
        }
        return new FloatImage(image.channels(), image.height(), w, out);
    }
}
