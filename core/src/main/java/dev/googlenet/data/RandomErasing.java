package dev.googlenet.data;

import java.util.random.RandomGenerator;

/**
 * Random erasing (Zhong et al., 2017; torchvision's {@code RandomErasing}): with probability {@code p}, one
 * rectangle covering a random share of the area in [{@code minArea}, {@code maxArea}], with a log-uniform aspect
 * ratio (height / width) in [{@code minRatio}, {@code maxRatio}], is set to {@code value} in every channel. Like
 * torchvision it tries ten rectangles and leaves the image as it is when none fits. It runs after normalization,
 * so the default value 0 is the dataset's mean.
 */
public record RandomErasing(double p, double minArea, double maxArea, double minRatio, double maxRatio, float value)
        implements Transform {

    public RandomErasing {
        if (!(p >= 0 && p <= 1) || !(minArea > 0 && minArea <= maxArea && maxArea <= 1)
                || !(minRatio > 0 && minRatio <= maxRatio)) {
            throw new IllegalArgumentException("RandomErasing: need 0 ≤ p ≤ 1, 0 < minArea ≤ maxArea ≤ 1 and "
                    + "0 < minRatio ≤ maxRatio; got p " + p + ", area " + minArea + ".." + maxArea + ", ratio "
                    + minRatio + ".." + maxRatio);
        }
    }

    /** torchvision's defaults: p 0.5, 2–33% of the area, aspect 0.3–3.3, erased to 0. */
    public static RandomErasing standard() {
        return new RandomErasing(0.5, 0.02, 0.33, 0.3, 3.3, 0f);
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        if (!(random.nextDouble() < p)) {
            return image;
        }
        int[] r = rectangle(image.height(), image.width(), random);
        if (r == null) {
            return image;
        }
        int h = image.height(), w = image.width();
        float[] out = image.data().clone();
        for (int c = 0; c < image.channels(); c++) {
            for (int y = r[0]; y < r[0] + r[2]; y++) {
                int row = (c * h + y) * w;
                java.util.Arrays.fill(out, row + r[1], row + r[1] + r[3], value);
            }
        }
        return new FloatImage(image.channels(), h, w, out);
    }

    /** {top, left, height, width} of the rectangle to erase, or null when ten tries found none that fits. */
    int[] rectangle(int h, int w, RandomGenerator random) {
        double logMin = Math.log(minRatio), logMax = Math.log(maxRatio);
        for (int attempt = 0; attempt < 10; attempt++) {
            double area = h * w * (minArea + (maxArea - minArea) * random.nextDouble());
            double aspect = Math.exp(logMin + (logMax - logMin) * random.nextDouble());
            int eh = (int) Math.round(Math.sqrt(area * aspect));
            int ew = (int) Math.round(Math.sqrt(area / aspect));
            if (eh < 1 || ew < 1 || eh >= h || ew >= w) { // torchvision: strictly smaller than the image
                continue;
            }
            return new int[] {random.nextInt(h - eh + 1), random.nextInt(w - ew + 1), eh, ew};
        }
        return null;
    }
}
