package dev.googlenet.serve;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A heatmap in [0, 1] as a PNG to lay over the image: the "jet" colour scale (blue low, red high), and an alpha that
 * grows with the value, so the parts that did not matter stay visible underneath.
 */
final class HeatmapPng {
    private HeatmapPng() {
    }

    /** {@code map} [height·width], row by row, values in [0, 1]. */
    static byte[] encode(float[] map, int width, int height) {
        if (map.length != width * height) {
            throw new IllegalArgumentException(map.length + " values for a " + width + "×" + height + " map");
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, argb(map[y * width + x]));
            }
        }
        return png(img);
    }

    /** An image as PNG bytes. */
    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Jet: piecewise linear through blue, cyan, yellow, red; alpha from 0.25 to 0.8. */
    static int argb(float value) {
        double v = Math.clamp(value, 0.0, 1.0);
        int r = channel(1.5 - Math.abs(4 * v - 3));
        int g = channel(1.5 - Math.abs(4 * v - 2));
        int b = channel(1.5 - Math.abs(4 * v - 1));
        int a = (int) Math.round(255 * (0.25 + 0.55 * v));
        return a << 24 | r << 16 | g << 8 | b;
    }

    private static int channel(double x) {
        return (int) Math.round(255 * Math.clamp(x, 0.0, 1.0));
    }
}
