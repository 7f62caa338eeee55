package dev.googlenet.cli;

import dev.googlenet.data.RgbImage;
import dev.googlenet.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Heat maps made visible: matplotlib's viridis (perceptually uniform, readable in gray and by colour-blind eyes)
 * blended over the image, and PNG files written whole or not at all.
 */
final class Overlay {
    /** How much of the colour map covers the image. */
    static final double ALPHA = 0.5;

    // viridis as a degree-6 polynomial per channel (Matt Zucconi's fit, within 1% of matplotlib's table)
    private static final double[][] VIRIDIS = {
            {0.2777273272234177, 0.1050930431085774, -0.3308618287255563, -4.634230498983486, 6.228269936347081,
                    4.776384997670288, -5.435455855934631},
            {0.005407344544966578, 1.404613529898575, 0.214847559468213, -5.799100973351585, 14.17993336680509,
                    -13.74514537774601, 4.645852612178535},
            {0.3340998053353061, 1.384590162594685, 0.09509516302823659, -19.33244095627987, 56.69055260068105,
                    -65.35303263337234, 26.3124352495832}};

    private Overlay() {
    }

    /** viridis at t ∈ [0, 1] (clamped) as 0xRRGGBB. */
    static int viridis(double t) {
        double x = Math.min(1, Math.max(0, t));
        int rgb = 0;
        for (double[] c : VIRIDIS) {
            double v = 0;
            for (int i = c.length - 1; i >= 0; i--) {
                v = v * x + c[i];
            }
            rgb = rgb << 8 | (int) Math.round(255 * Math.min(1, Math.max(0, v)));
        }
        return rgb;
    }

    /** The image with {@code heat} (its size, values in [0, 1]; image {@code index} of [N, H, W]) blended over it. */
    static BufferedImage blend(RgbImage image, Tensor heat, int index) {
        int w = image.width(), h = image.height();
        if (heat.dim(1) != h || heat.dim(2) != w) {
            throw new IllegalArgumentException("heat map " + heat.dim(1) + "×" + heat.dim(2) + " for a " + h + "×" + w
                    + " image");
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int c = viridis(heat.data()[(index * h + y) * w + x]);
                int rgb = 0;
                for (int ch = 0; ch < 3; ch++) {
                    double colour = c >> (16 - 8 * ch) & 0xff;
                    rgb = rgb << 8 | (int) Math.round((1 - ALPHA) * image.get(x, y, ch) + ALPHA * colour);
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    /** An RGB image as a BufferedImage. */
    static BufferedImage toBuffered(RgbImage image) {
        BufferedImage out = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                out.setRGB(x, y, image.get(x, y, 0) << 16 | image.get(x, y, 1) << 8 | image.get(x, y, 2));
            }
        }
        return out;
    }

    /** Draws a one-pixel rectangle (x1, y1 exclusive) in white, for a localization box. */
    static void box(BufferedImage img, int x0, int y0, int x1, int y1) {
        for (int x = x0; x < x1; x++) {
            img.setRGB(x, y0, 0xffffff);
            img.setRGB(x, y1 - 1, 0xffffff);
        }
        for (int y = y0; y < y1; y++) {
            img.setRGB(x0, y, 0xffffff);
            img.setRGB(x1 - 1, y, 0xffffff);
        }
    }

    /** Writes a PNG through a temporary file in the same folder, renamed into place. */
    static void writePng(BufferedImage img, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        if (!ImageIO.write(img, "png", tmp.toFile())) {
            throw new IOException(file + ": no PNG writer");
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
