package dev.googlenet.cli;

import dev.googlenet.data.FloatImage;
import dev.googlenet.data.ImageFileDecoder;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A stand-in decoder for image-folder training: the JDK's ImageIO, every image converted to RGB. The project's
 * Pillow-exact decoder replaces it when available (an {@link ImageFileDecoder} adapter is all that is needed).
 */
final class ImageIoFileDecoder implements ImageFileDecoder {

    @Override
    public FloatImage decode(Path file) throws IOException {
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot decode: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new IOException(file + ": not an image format the JDK reads");
        }
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            rgb[3 * i] = (byte) (argb[i] >> 16);
            rgb[3 * i + 1] = (byte) (argb[i] >> 8);
            rgb[3 * i + 2] = (byte) argb[i];
        }
        return FloatImage.fromInterleaved(w, h, 3, rgb);
    }
}
