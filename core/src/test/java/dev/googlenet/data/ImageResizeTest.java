package dev.googlenet.data;

import org.junit.jupiter.api.Test;

import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Pillow-exact bilinear resampling; expected bytes and CRC-32s were computed with Pillow 9.4's resize. */
class ImageResizeTest {

    private static RgbImage of(int w, int h, int... rgb) {
        byte[] b = new byte[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            b[i] = (byte) rgb[i];
        }
        return new RgbImage(w, h, b);
    }

    private static int[] unsigned(RgbImage img) {
        int[] out = new int[img.rgb().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = img.rgb()[i] & 0xFF;
        }
        return out;
    }

    @Test
    void smallCasesByteForByte() {
        RgbImage row = of(6, 1, 0, 0, 0, 10, 100, 255, 20, 200, 0, 30, 50, 255, 40, 0, 0, 250, 255, 128);
        // Pillow: Image.frombytes("RGB", (6, 1), ...).resize((4, 1), Image.BILINEAR)
        assertArrayEquals(new int[] {4, 38, 96, 18, 150, 113, 32, 50, 142, 171, 159, 80},
                unsigned(ImageResize.resize(row, 4, 1)));
        // upscaling: the triangle keeps support 1
        assertArrayEquals(new int[] {0, 0, 0, 5, 50, 128, 12, 117, 212, 18, 183, 43, 25, 125, 128, 32, 42, 212, 38, 8,
                43, 145, 128, 64, 250, 255, 128}, unsigned(ImageResize.resize(row, 9, 1)));
        RgbImage column = of(1, 2, 0, 100, 255, 255, 0, 1);
        assertArrayEquals(new int[] {0, 100, 255, 25, 90, 230, 128, 50, 128, 230, 10, 26, 255, 0, 1},
                unsigned(ImageResize.resize(column, 1, 5)));
    }

    /** A deterministic test picture: gradients plus LCG noise. */
    static RgbImage synthetic(int w, int h) {
        byte[] b = new byte[w * h * 3];
        long s = 12345;
        for (int i = 0; i < b.length; i++) {
            s = (s * 1103515245L + 12345) & 0x7fffffffL;
            int x = (i / 3) % w;
            int y = (i / 3) / w;
            b[i] = (byte) ((x * 7 + y * 3 + (i % 3) * 50) + ((s >> 16) & 63));
        }
        return new RgbImage(w, h, b);
    }

    @Test
    void matchesPillowOnManySizes() {
        // {w, h, newW, newH, CRC-32 of Pillow's synthetic(w, h).resize((newW, newH), Image.BILINEAR).tobytes()}
        long[][] cases = {
            {451, 300, 384, 256, 0xd2d2eb98L}, {300, 451, 256, 384, 0x73500279L}, {600, 400, 384, 256, 0x8064fb84L},
            {5, 3, 426, 256, 0xfadc149cL}, {3, 5, 256, 426, 0x876cceceL}, {512, 512, 256, 256, 0xba0e7463L},
            {1000, 37, 7, 3, 0xcd9394acL}, {17, 13, 17, 5, 0x721241c3L}, {17, 13, 4, 13, 0x56937666L},
            {64, 48, 1, 1, 0xf8bf1742L}, {10, 10, 23, 31, 0xcd9ca9f1L}, {333, 222, 224, 224, 0x17d44674L},
            {640, 427, 352, 352, 0xb84d4784L},
        };
        for (long[] c : cases) {
            RgbImage out = ImageResize.resize(synthetic((int) c[0], (int) c[1]), (int) c[2], (int) c[3]);
            assertEquals((int) c[2], out.width());
            assertEquals((int) c[3], out.height());
            CRC32 crc = new CRC32();
            crc.update(out.rgb());
            assertEquals(c[4], crc.getValue(), () -> c[0] + "x" + c[1] + " -> " + c[2] + "x" + c[3]);
        }
    }

    @Test
    void aBoxOfTheResizeIsTheResizeCropped() {
        // {w, h, newW, newH}: down, up, one axis only, no change, and odd sizes
        int[][] cases = {{451, 300, 384, 256}, {300, 451, 256, 384}, {5, 3, 426, 256}, {17, 13, 17, 5},
            {17, 13, 4, 13}, {20, 11, 20, 11}, {333, 222, 224, 224}, {97, 61, 31, 19}};
        java.util.Random random = new java.util.Random(7);
        for (int[] c : cases) {
            RgbImage img = synthetic(c[0], c[1]);
            RgbImage whole = ImageResize.resize(img, c[2], c[3]);
            for (int t = 0; t < 12; t++) {
                int bw = 1 + random.nextInt(c[2]);
                int bh = 1 + random.nextInt(c[3]);
                Crops.Box box = new Crops.Box(random.nextInt(c[2] - bw + 1), random.nextInt(c[3] - bh + 1), bw, bh);
                assertEquals(whole.crop(box), ImageResize.resize(img, c[2], c[3], box), () -> c[0] + "x" + c[1]
                        + " -> " + c[2] + "x" + c[3] + ", " + box);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> ImageResize.resize(synthetic(8, 8), 4, 4, new Crops.Box(1, 1, 4, 4)));
    }

    @Test
    void shorterSideFollowsTorchvision() {
        // int(256 * long / short), truncated
        assertArrayEquals(new int[] {384, 256}, ImageResize.shorterSideSize(451, 300, 256)); // 384.85
        assertArrayEquals(new int[] {256, 384}, ImageResize.shorterSideSize(300, 451, 256));
        assertArrayEquals(new int[] {383, 256}, ImageResize.shorterSideSize(640, 427, 256)); // 383.70
        assertArrayEquals(new int[] {426, 256}, ImageResize.shorterSideSize(5, 3, 256)); // 426.67
        assertArrayEquals(new int[] {256, 256}, ImageResize.shorterSideSize(512, 512, 256));
        assertArrayEquals(new int[] {469, 352}, ImageResize.shorterSideSize(640, 480, 352)); // 469.33
        assertThrows(IllegalArgumentException.class, () -> ImageResize.shorterSideSize(0, 5, 256));
    }

    @Test
    void sameSizeIsACopy() {
        RgbImage img = synthetic(7, 5);
        RgbImage same = ImageResize.resize(img, 7, 5);
        assertEquals(img, same);
        assertNotSame(img.rgb(), same.rgb());
    }
}
