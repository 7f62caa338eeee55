package dev.googlenet.data;

import java.util.random.RandomGenerator;

/**
 * The small-image augmentation: pad every side with {@code padding} zero pixels, then cut a random
 * {@code size × size} window (torchvision's {@code RandomCrop(size, padding)}). With padding 0 and the image's
 * own size it is the identity.
 */
public record RandomCrop(int size, int padding) implements Transform {

    public RandomCrop {
        if (size < 1 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop: need size ≥ 1 and padding ≥ 0, got " + size + ", "
                    + padding);
        }
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        int ph = image.height() + 2 * padding, pw = image.width() + 2 * padding;
        if (ph < size || pw < size) {
            throw new IllegalArgumentException("RandomCrop: a " + size + "×" + size + " crop does not fit a "
                    + image.height() + "×" + image.width() + " image padded by " + padding);
        }
        int top = random.nextInt(ph - size + 1) - padding;
        int left = random.nextInt(pw - size + 1) - padding;
        return crop(image, top, left, size, size);
    }

    /** The window at ({@code top}, {@code left}) of the image, zero where it lies outside. */
    static FloatImage crop(FloatImage image, int top, int left, int h, int w) {
        int c = image.channels(), ih = image.height(), iw = image.width();
        float[] in = image.data(), out = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int sy = top + y;
                if (sy < 0 || sy >= ih) {
                    continue;
                }
                int x0 = Math.max(0, -left), x1 = Math.min(w, iw - left);
                if (x1 > x0) {
                    System.arraycopy(in, (ch * ih + sy) * iw + left + x0, out, (ch * h + y) * w + x0, x1 - x0);
                }
            }
        }
        return new FloatImage(c, h, w, out);
    }
}
