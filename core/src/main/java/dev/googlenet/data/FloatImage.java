package dev.googlenet.data;

import java.util.Objects;

/**
 * An image as it travels through a training pipeline: float planes in channel-major order
 * ({@code [channels, height, width]}, the layout of one sample of an NCHW batch), values in [0, 1] until a
 * normalization step. The array is shared, not copied; transforms return new images and never change their input.
 *
 * @param channels 1 (gray) or 3 (RGB)
 * @param height   rows, at least 1
 * @param width    pixels per row, at least 1
 * @param data     {@code channels * height * width} values, plane after plane, row after row
 */
public record FloatImage(int channels, int height, int width, float[] data) {

    public FloatImage {
        Objects.requireNonNull(data, "data");
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + channels + "×" + height
                    + "×" + width);
        }
        if ((long) channels * height * width != data.length) {
            throw new IllegalArgumentException("a " + channels + "×" + height + "×" + width + " image needs "
                    + (long) channels * height * width + " values, got " + data.length);
        }
    }

    /** A black image. */
    public static FloatImage zeros(int channels, int height, int width) {
        return new FloatImage(channels, height, width, new float[channels * height * width]);
    }

    /**
     * Converts 8-bit pixels stored interleaved ({@code RGBRGB…} or gray, row-major, as decoders hold them) to
     * planes in [0, 1].
     */
    public static FloatImage fromInterleaved(int width, int height, int channels, byte[] pixels) {
        if ((long) width * height * channels != pixels.length) {
            throw new IllegalArgumentException("a " + width + "×" + height + " image with " + channels
                    + " channels needs " + (long) width * height * channels + " bytes, got " + pixels.length);
        }
        float[] out = new float[pixels.length];
        int plane = width * height;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                out[c * plane + i] = (pixels[i * channels + c] & 0xFF) / 255f;
            }
        }
        return new FloatImage(channels, height, width, out);
    }

    /** One gray 8-bit image of {@code height × width} bytes starting at {@code offset} (IDX files), in [0, 1]. */
    public static FloatImage fromGray(byte[] pixels, int offset, int height, int width) {
        float[] out = new float[height * width];
        for (int i = 0; i < out.length; i++) {
            out[i] = (pixels[offset + i] & 0xFF) / 255f;
        }
        return new FloatImage(1, height, width, out);
    }

    public int planeSize() {
        return height * width;
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    public FloatImage copy() {
        return new FloatImage(channels, height, width, data.clone());
    }

    /** "3×32×32". */
    public String shapeString() {
        return channels + "×" + height + "×" + width;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatImage f && channels == f.channels && height == f.height && width == f.width
                && java.util.Arrays.equals(data, f.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channels, height, width, java.util.Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "FloatImage[" + shapeString() + "]";
    }
}
