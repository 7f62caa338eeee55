package dev.googlenet.data;

import java.util.random.RandomGenerator;

/** {@code (x − mean[c]) / std[c]} per channel; one value applies to every channel. */
public record Normalize(float[] mean, float[] std) implements Transform {

    public Normalize {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("Normalize: mean and std need the same number of values");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("Normalize: std must be positive");
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        int c = image.channels(), plane = image.planeSize();
        if (mean.length != 1 && mean.length != c) {
            throw new IllegalArgumentException("Normalize has " + mean.length + " means, the image " + c
                    + " channels");
        }
        float[] in = image.data(), out = new float[in.length];
        for (int ch = 0; ch < c; ch++) {
            float m = mean[mean.length == 1 ? 0 : ch], inv = 1f / std[std.length == 1 ? 0 : ch];
            for (int i = ch * plane, end = i + plane; i < end; i++) {
                out[i] = (in[i] - m) * inv;
            }
        }
        return new FloatImage(c, image.height(), image.width(), out);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalize n && java.util.Arrays.equals(mean, n.mean) && java.util.Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(mean) + java.util.Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalize[mean " + java.util.Arrays.toString(mean) + ", std " + java.util.Arrays.toString(std) + "]";
    }
}
