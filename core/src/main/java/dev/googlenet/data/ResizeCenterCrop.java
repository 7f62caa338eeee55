package dev.googlenet.data;

import java.util.random.RandomGenerator;

/**
 * Evaluation geometry for image folders: scale the shorter side to {@code resize} (bilinear, Pillow-style), then
 * cut the central {@code crop × crop}. Deterministic: the generator is not used.
 */
public record ResizeCenterCrop(int resize, int crop) implements Transform {

    public ResizeCenterCrop {
        if (crop < 1 || resize < crop) {
            throw new IllegalArgumentException("need 1 ≤ crop ≤ resize, got resize " + resize + ", crop " + crop);
        }
    }

    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        int w = image.width(), h = image.height();
        int nw, nh;
        if (w <= h) {
            nw = resize;
            nh = (int) ((long) resize * h / w);
        } else {
            nh = resize;
            nw = (int) ((long) resize * w / h);
        }
        FloatImage scaled = (nw == w && nh == h) ? image
                : Interpolation.BILINEAR.resize(image, 0, 0, w, h, nw, nh);
        int top = (int) Math.round((nh - crop) / 2.0), left = (int) Math.round((nw - crop) / 2.0);
        return RandomCrop.crop(scaled, top, left, crop, crop);
    }
}
