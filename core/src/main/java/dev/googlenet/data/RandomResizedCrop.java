package dev.googlenet.data;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The paper's crop: a patch covering a random 8–100% of the image area with a random aspect ratio between 3/4 and
 * 4/3 (drawn log-uniformly), resized to {@code size × size} with an interpolation drawn at random from
 * {@code interpolations}. The patch is sampled as torchvision's {@code RandomResizedCrop} does (ten tries, then a
 * centre crop of the allowed aspect).
 */
public record RandomResizedCrop(int size, double minArea, double maxArea, double minAspect, double maxAspect,
                                List<Interpolation> interpolations) implements Transform {

    /** The paper's interpolations: "bilinear, area, nearest neighbor and cubic, with equal probability". */
    public static final List<Interpolation> PAPER_INTERPOLATIONS = List.of(Interpolation.BILINEAR,
            Interpolation.BOX, Interpolation.NEAREST, Interpolation.BICUBIC);

    public RandomResizedCrop {
        if (size < 1 || !(0 < minArea && minArea <= maxArea && maxArea <= 1)
                || !(0 < minAspect && minAspect <= maxAspect) || interpolations.isEmpty()) {
            throw new IllegalArgumentException("RandomResizedCrop: need size ≥ 1, 0 < minArea ≤ maxArea ≤ 1, "
                    + "0 < minAspect ≤ maxAspect and an interpolation");
        }
        interpolations = List.copyOf(interpolations);
    }

    /** The paper's settings at {@code size}: 8–100% of the area, aspect 3/4–4/3, random interpolation. */
    public static RandomResizedCrop paper(int size) {
        return new RandomResizedCrop(size, 0.08, 1.0, 3.0 / 4, 4.0 / 3, PAPER_INTERPOLATIONS);
    }

    /** The patch {x, y, w, h} for an image of {@code width × height}. */
    int[] patch(int width, int height, RandomGenerator random) {
        double area = (double) width * height;
        double logLo = Math.log(minAspect), logHi = Math.log(maxAspect);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (minArea + (maxArea - minArea) * random.nextDouble());
            double aspect = Math.exp(logLo + (logHi - logLo) * random.nextDouble());
            int w = (int) Math.round(Math.sqrt(target * aspect));
            int h = (int) Math.round(Math.sqrt(target / aspect));
            if (w > 0 && h > 0 && w <= width && h <= height) {
                int y = random.nextInt(height - h + 1);
                int x = random.nextInt(width - w + 1);
                return new int[] {x, y, w, h};
            }
        }
        double ratio = (double) width / height;
        int w, h;
        if (ratio < minAspect) {
            w = width;
            h = (int) Math.round(w / minAspect);
        } else if (ratio > maxAspect) {
            h = height;
            w = (int) Math.round(h * maxAspect);
        } else {
            w = width;
            h = height;
        }
        return new int[] {(width - w) / 2, (height - h) / 2, w, h};
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        int[] p = patch(image.width(), image.height(), random);
        Interpolation interp = interpolations.get(random.nextInt(interpolations.size()));
        return interp.resize(image, p[0], p[1], p[2], p[3], size, size);
    }
}
