package dev.googlenet.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded 8-bit RGB image: {@code width × height} pixels, row-major, three interleaved bytes per pixel
 * (R, G, B), as Pillow holds an image after {@code convert("RGB")}. The pixel array is shared, not copied (like
 * {@code Tensor.data()}); every operation here returns a new image.
 *
 * @param width  pixels per row, at least 1
 * @param height rows, at least 1
 * @param rgb    {@code width * height * 3} bytes; read them as unsigned ({@code b & 0xFF})
 */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException(
                    width + "x" + height + " RGB needs " + (long) width * height * 3 + " bytes, got " + rgb.length);
        }
    }

    /** A new black image. */
    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
    }

    /** Channel {@code c} (0 = R, 1 = G, 2 = B) of pixel ({@code x}, {@code y}), 0–255. */
    public int get(int x, int y, int c) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(c, 3);
        return rgb[(y * width + x) * 3 + c] & 0xFF;
    }

    /** The {@code w × h} region whose top-left pixel is ({@code left}, {@code top}); it must lie inside. */
    public RgbImage crop(int left, int top, int w, int h) {
        if (left < 0 || top < 0 || w <= 0 || h <= 0 || left > width - w || top > height - h) {
            throw new IllegalArgumentException("crop box left " + left + ", top " + top + ", " + w + "x" + h
                    + " does not lie inside a " + width + "x" + height + " image");
        }
        byte[] out = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * w * 3, w * 3);
        }
        return new RgbImage(w, h, out);
    }

    /** The region {@code box}. */
    public RgbImage crop(Crops.Box box) {
        return crop(box.left(), box.top(), box.width(), box.height());
    }

    /** The mirror image (left and right swapped), torchvision's {@code hflip}. */
    public RgbImage flipHorizontal() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            int row = y * width * 3;
            for (int x = 0; x < width; x++) {
                int from = row + x * 3;
                int to = row + (width - 1 - x) * 3;
                out[to] = rgb[from];
                out[to + 1] = rgb[from + 1];
                out[to + 2] = rgb[from + 2];
            }
        }
        return new RgbImage(width, height, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage i && width == i.width && height == i.height && Arrays.equals(rgb, i.rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
