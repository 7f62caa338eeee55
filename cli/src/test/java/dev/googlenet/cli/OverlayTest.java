package dev.googlenet.cli;

import dev.googlenet.data.RgbImage;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OverlayTest {

    /** matplotlib's viridis at 0, ¼, ½, ¾ and 1 (#440154, #3b528b, #21918c, #5ec962, #fde725), within 5 of 255. */
    @Test
    void viridisMatchesMatplotlibsTable() {
        int[][] expected = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
        for (int i = 0; i < 5; i++) {
            int c = Overlay.viridis(i / 4.0);
            int[] got = {c >> 16 & 0xff, c >> 8 & 0xff, c & 0xff};
            for (int ch = 0; ch < 3; ch++) {
                assertEquals(expected[i][ch], got[ch], 5, "t=" + i / 4.0 + " channel " + ch);
            }
        }
        assertEquals(Overlay.viridis(1), Overlay.viridis(7), "clamped");
    }

    /** Half image, half colour: a white pixel under heat 1 is the mean of white and viridis(1). */
    @Test
    void blendIsHalfImageHalfColour() {
        RgbImage white = new RgbImage(2, 1, new byte[] {(byte) 255, (byte) 255, (byte) 255, 0, 0, 0});
        BufferedImage b = Overlay.blend(white, Tensor.of(new float[] {1, 0}, 1, 1, 2), 0);
        assertEquals((255 + 253 + 1) / 2, b.getRGB(0, 0) >> 16 & 0xff, 1);
        assertEquals(Math.round(68 * 0.5), b.getRGB(1, 0) >> 16 & 0xff, 3);
        assertThrows(IllegalArgumentException.class, () -> Overlay.blend(white, Tensor.zeros(1, 2, 2), 0));
    }
}
