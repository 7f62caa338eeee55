package dev.googlenet.explain;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The CAM paper's box: above 20% of the maximum, the largest 8-connected region, its bounding box. */
class LocalizationTest {

    /**
     * Two regions in a 6×8 map: a small one holding the maximum (2 pixels) and a larger, fainter one (5 pixels, joined
     * only diagonally at one place); values at or below 20% of the maximum (10) do not count.
     */
    @Test
    void theLargestRegionAboveTwentyPercentGivesTheBox() {
        float[] m = {
            10, 9, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 3, 3, 0, 0, 0,
            0, 0, 0, 0, 0, 3, 0, 2,
            0, 0, 0, 0, 0, 3, 0, 0,
            0, 0, 0, 0, 0, 3, 2.1f, 0};
        Localization.Box b = Localization.box(Tensor.of(m, 1, 6, 8), 0);
        // 3s at (3,2) (4,2) (5,3) (5,4) (5,5), plus 2.1 at (6,5): six pixels; the lone 2 (= 20%) is not above it
        assertEquals(new Localization.Box(3, 2, 7, 6, 6), b);
        assertEquals(4, b.width());
        assertEquals(4, b.height());
        // at 50% only the maximum's region is left
        assertEquals(new Localization.Box(0, 0, 2, 1, 2), Localization.box(Tensor.of(m, 1, 6, 8), 0, 0.5));
    }

    @Test
    void imagesAreSeparateAndEmptyMapsHaveNoBox() {
        float[] two = {0, 0, 0, 0, /* image 1 */ 0, 1, 0, 1};
        assertNull(Localization.box(Tensor.of(two, 2, 2, 2), 0));
        // 4-connected they would be two regions; diagonally joined they are one
        assertEquals(new Localization.Box(0, 0, 2, 2, 2), Localization.box(Tensor.of(new float[] {1, 0, 0, 1}, 1, 2, 2), 0));
        assertEquals(new Localization.Box(1, 0, 2, 2, 2), Localization.box(Tensor.of(two, 2, 2, 2), 1));
        assertThrows(IllegalArgumentException.class, () -> Localization.box(Tensor.of(two, 2, 2, 2), 2));
    }
}
