package dev.googlenet.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentationTest {

    static FloatImage ramp(int c, int h, int w) {
        float[] d = new float[c * h * w];
        for (int i = 0; i < d.length; i++) {
            d[i] = (i % (h * w)) / (float) (h * w) * (c == 3 ? (i / (h * w) + 1) / 3f : 1f);
        }
        return new FloatImage(c, h, w, d);
    }

    @Test
    void randomResizedCropPatchesFollowThePaper() {
        RandomResizedCrop rrc = RandomResizedCrop.paper(16);
        SplittableRandom rnd = new SplittableRandom(5);
        double minFrac = 1, maxFrac = 0;
        for (int i = 0; i < 2000; i++) {
            int[] p = rrc.patch(200, 150, rnd);
            assertTrue(p[0] >= 0 && p[1] >= 0 && p[0] + p[2] <= 200 && p[1] + p[3] <= 150);
            double frac = (double) p[2] * p[3] / (200 * 150);
            double aspect = (double) p[2] / p[3];
            minFrac = Math.min(minFrac, frac);
            maxFrac = Math.max(maxFrac, frac);
            assertTrue(frac >= 0.075 && frac <= 1.0, "area " + frac);
            assertTrue(aspect > 0.7 && aspect < 1.42, "aspect " + aspect);
        }
        assertTrue(minFrac < 0.1 && maxFrac > 0.7, minFrac + " " + maxFrac);
        FloatImage out = rrc.apply(ramp(3, 40, 30), new SplittableRandom(1));
        assertEquals(3, out.channels());
        assertEquals(16, out.height());
        assertEquals(16, out.width());
        for (float v : out.data()) {
            assertTrue(v >= 0 && v <= 1);
        }
    }

    /**
     * Random erasing: about half the images changed; each changed one has exactly one rectangle set to the value in
     * every channel, of 2–33% of the area (up to rounding) and an aspect ratio of 0.3–3.3; the rest is untouched;
     * the same generator state gives the same image.
     */
    @Test
    void randomErasingClearsOneRectangleOfTheRightSizeHalfTheTime() {
        RandomErasing erase = RandomErasing.standard();
        FloatImage img = ramp(3, 28, 28);
        for (int i = 0; i < img.data().length; i++) {
            img.data()[i] += 1f; // no zeros before erasing
        }
        float[] before = img.data().clone();
        int erased = 0;
        double minShare = 1, maxShare = 0;
        for (int seed = 0; seed < 1000; seed++) {
            FloatImage out = erase.apply(img, new SplittableRandom(seed));
            assertArrayEquals(out.data(), erase.apply(img, new SplittableRandom(seed)).data());
            int top = 28, left = 28, bottom = -1, right = -1, zeros = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 28; y++) {
                    for (int x = 0; x < 28; x++) {
                        int k = (c * 28 + y) * 28 + x;
                        if (out.data()[k] == 0f) {
                            zeros++;
                            top = Math.min(top, y);
                            bottom = Math.max(bottom, y);
                            left = Math.min(left, x);
                            right = Math.max(right, x);
                        } else {
                            assertEquals(before[k], out.data()[k], 0f);
                        }
                    }
                }
            }
            if (zeros == 0) {
                continue;
            }
            erased++;
            int h = bottom - top + 1, w = right - left + 1;
            assertEquals(3 * h * w, zeros, "one rectangle, every channel");
            double share = h * w / 784.0, ratio = (double) h / w;
            minShare = Math.min(minShare, share);
            maxShare = Math.max(maxShare, share);
            assertTrue(share >= 0.012 && share <= 0.36, "area share " + share);
            assertTrue(ratio >= 0.25 && ratio <= 4.0, "aspect " + ratio);
        }
        assertTrue(erased > 440 && erased < 560, erased + " of 1000 erased");
        assertTrue(minShare < 0.05 && maxShare > 0.25, minShare + " .. " + maxShare);
        assertArrayEquals(before, img.data(), 0f, "the input is not changed");
        assertThrows(IllegalArgumentException.class, () -> new RandomErasing(0.5, 0.4, 0.2, 0.3, 3.3, 0f));
    }

    @Test
    void resizingTheWholeImageToItsOwnSizeIsTheIdentity() {
        FloatImage img = ramp(1, 9, 7);
        for (Interpolation i : Interpolation.values()) {
            assertArrayEquals(img.data(), i.resize(img, 0, 0, 7, 9, 7, 9).data(), 1e-6f, i.name());
        }
        // halving with the box filter averages 2×2 blocks
        FloatImage four = new FloatImage(1, 2, 2, new float[] {0, 1, 0.5f, 0.5f});
        assertEquals(0.5f, Interpolation.BOX.resize(four, 0, 0, 2, 2, 1, 1).data()[0], 1e-6f);
        assertEquals(0.5f, Interpolation.BILINEAR.resize(four, 0, 0, 2, 2, 1, 1).data()[0], 1e-6f);
    }

    @Test
    void flipMirrorsRows() {
        FloatImage img = new FloatImage(1, 2, 3, new float[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, HorizontalFlip.flip(img).data());
        assertEquals(img, new HorizontalFlip(0).apply(img, new SplittableRandom(1)));
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4},
                new HorizontalFlip(1).apply(img, new SplittableRandom(1)).data());
    }

    @Test
    void randomCropWithPaddingShiftsByAtMostThePadding() {
        FloatImage img = new FloatImage(1, 4, 4, new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        RandomCrop crop = new RandomCrop(4, 2);
        boolean shifted = false;
        for (int seed = 0; seed < 50; seed++) {
            FloatImage out = crop.apply(img, new SplittableRandom(seed));
            double sum = 0;
            for (float v : out.data()) {
                sum += v;
            }
            assertTrue(sum >= 4, "at least a 2×2 corner of the image stays in");
            shifted |= sum < 16;
        }
        assertTrue(shifted);
        assertEquals(img, new RandomCrop(4, 0).apply(img, new SplittableRandom(3)));
        assertThrows(IllegalArgumentException.class, () -> new RandomCrop(9, 2).apply(img, new SplittableRandom(1)));
    }

    @Test
    void photometricDistortionStaysInRangeAndIsSeeded() {
        FloatImage img = ramp(3, 8, 8);
        PhotometricDistortion pd = PhotometricDistortion.standard();
        FloatImage a = pd.apply(img, new SplittableRandom(4));
        FloatImage b = pd.apply(img, new SplittableRandom(4));
        FloatImage c = pd.apply(img, new SplittableRandom(5));
        assertEquals(a, b);
        assertNotEquals(a, c);
        for (float v : a.data()) {
            assertTrue(v >= 0 && v <= 1);
        }
        // brightness alone scales every pixel by one factor
        FloatImage bright = new PhotometricDistortion(0.5, 0, 0, 0).apply(new FloatImage(1, 1, 2,
                new float[] {0.2f, 0.4f}), new SplittableRandom(8));
        assertEquals(2 * bright.data()[0], bright.data()[1], 1e-6f);
        // gray images ignore saturation and lighting
        FloatImage gray = ramp(1, 4, 4);
        assertEquals(gray, new PhotometricDistortion(0, 0, 0.9, 0.5).apply(gray, new SplittableRandom(2)));
    }

    @Test
    void resizeCenterCropAndNormalize() {
        FloatImage img = ramp(3, 20, 40);
        FloatImage out = new ResizeCenterCrop(10, 8).apply(img, null);
        assertEquals(8, out.height());
        assertEquals(8, out.width());
        FloatImage n = new Normalize(new float[] {0.5f}, new float[] {0.5f}).apply(
                new FloatImage(1, 1, 2, new float[] {0, 1}), null);
        assertArrayEquals(new float[] {-1, 1}, n.data());
        Transform t = Transform.compose(List.of(new HorizontalFlip(1), new Normalize(new float[] {0}, new float[] {2})));
        assertArrayEquals(new float[] {0.5f, 0}, t.apply(new FloatImage(1, 1, 2, new float[] {0, 1}),
                new SplittableRandom(0)).data());
    }
}
