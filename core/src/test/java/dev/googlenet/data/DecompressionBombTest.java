package dev.googlenet.data;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tiny JPEG whose header declares a huge image is refused from the header, before decoding: by default at
 * Pillow's {@code MAX_IMAGE_PIXELS} (89,478,485), a limit that {@link ImageDecoder#setMaxPixels} raises.
 */
class DecompressionBombTest {
    @TempDir
    Path dir;

    @AfterEach
    void restoreTheLimit() {
        ImageDecoder.setMaxPixels(ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    /** An 8×8 JPEG whose SOF0 header is rewritten to declare {@code side}×{@code side} pixels. */
    static byte[] jpegDeclaring(int side) throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "jpeg", out));
        byte[] b = out.toByteArray();
        for (int i = 2; i + 8 < b.length; i++) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xc0) { // SOF0: length, precision, height, width
                b[i + 5] = (byte) (side >> 8);
                b[i + 6] = (byte) side;
                b[i + 7] = (byte) (side >> 8);
                b[i + 8] = (byte) side;
                return b;
            }
        }
        throw new AssertionError("no SOF0 marker");
    }

    @Test
    void aFewHundredBytesDeclaring13000x13000AreRefusedFromTheHeader() throws IOException {
        Path bomb = dir.resolve("bomb.jpg");
        Files.write(bomb, jpegDeclaring(13_000));
        assertTrue(Files.size(bomb) < 1000, "a small file: " + Files.size(bomb));
        String m = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(bomb)).getMessage();
        System.out.println("MESSAGE " + m + " (" + Files.size(bomb) + " bytes)");
        assertEquals(bomb + ": JPEG image too large: 13000x13000 = 169,000,000 pixels; allowed: at most 89,478,485 "
                + "pixels (against decompression bombs; raise the limit with --max-image-pixels)", m);
    }

    @Test
    void theLimitIsAFlagAndCountsPixels() throws IOException {
        BufferedImage img = new BufferedImage(100, 100, BufferedImage.TYPE_INT_RGB);
        Path png = dir.resolve("100x100.png");
        ImageIO.write(img, "png", png.toFile());
        ImageDecoder.setMaxPixels(9_999);
        String m = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(png)).getMessage();
        assertTrue(m.contains("100x100 = 10,000 pixels; allowed: at most 9,999 pixels"), m);
        ImageDecoder.setMaxPixels(10_000);
        assertEquals(100, ImageDecoder.decode(png).width());
        assertThrows(IllegalArgumentException.class, () -> ImageDecoder.setMaxPixels(0));
    }
}
