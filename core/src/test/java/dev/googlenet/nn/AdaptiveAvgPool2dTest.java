package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaptiveAvgPool2dTest {

    @Test
    void binsFor14To4Overlap() {
        // floor(i*14/4) .. ceil((i+1)*14/4): [0,4) [3,7) [7,11) [10,14)
        int[] starts = new int[4];
        int[] ends = new int[4];
        for (int i = 0; i < 4; i++) {
            starts[i] = AdaptiveAvgPool2d.binStart(i, 14, 4);
            ends[i] = AdaptiveAvgPool2d.binEnd(i, 14, 4);
        }
        assertArrayEquals(new int[] {0, 3, 7, 10}, starts);
        assertArrayEquals(new int[] {4, 7, 11, 14}, ends);
    }

    @Test
    void forwardAndBackward14To4() {
        // x[r][c] = 14r + c, so a bin's mean is 14 * (mean row) + (mean col); bin row means 1.5, 4.5, 8.5, 11.5
        Tensor x = Tensor.zeros(1, 1, 14, 14);
        for (int i = 0; i < 196; i++) {
            x.data()[i] = i;
        }
        AdaptiveAvgPool2d pool = new AdaptiveAvgPool2d(4, 4);
        Tensor y = pool.forward(x, true);
        assertArrayEquals(new int[] {1, 1, 4, 4}, y.shape());
        float[] m = {1.5f, 4.5f, 8.5f, 11.5f};
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(14 * m[i] + m[j], y.get(0, 0, i, j), 1e-5f, "bin " + i + "," + j);
            }
        }
        // with unit gradients, each input gets (bins holding its row) * (bins holding its column) / 16
        Tensor ones = Tensor.zeros(1, 1, 4, 4);
        ones.fill(1f);
        Tensor dx = pool.backward(ones).copy();
        assertEquals(1f / 16, dx.get(0, 0, 0, 0));
        assertEquals(2f / 16, dx.get(0, 0, 3, 0));   // row 3 is in bins 0 and 1
        assertEquals(4f / 16, dx.get(0, 0, 3, 10));  // row 3 and column 10 are both shared
        assertEquals(1f / 16, dx.get(0, 0, 13, 13));
    }

    @Test
    void globalAveragesEachPlane() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, -6, -4, -2, 0, 2, 4}, 2, 1, 2, 3);
        AdaptiveAvgPool2d pool = AdaptiveAvgPool2d.global();
        Tensor y = pool.forward(x, true);
        assertArrayEquals(new int[] {2, 1, 1, 1}, y.shape());
        assertArrayEquals(new float[] {3.5f, -1f}, y.data());
        Tensor dx = pool.backward(Tensor.of(new float[] {6, 12}, 2, 1, 1, 1)).copy();
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}, dx.data());
        assertArrayEquals(new int[] {8, 1024, 1, 1}, pool.outputShape(new int[] {8, 1024, 7, 7}));
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        int[][] sizes = {{4, 4}, {5, 3}, {1, 1}, {13, 11}, {20, 16}};
        for (int[] s : sizes) {
            Tensor x = GradCheck.random(new Random(5), 2, 7, 13, 11);
            GradCheck.check(new AdaptiveAvgPool2d(s[0], s[1]), x, true, 1.0 / 128, 1e-3, 2002);
        }
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdaptiveAvgPool2d.global().forward(Tensor.zeros(2, 8), false));
        assertTrue(e.getMessage().contains("AdaptiveAvgPool2d") && e.getMessage().contains("[2,8]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0, 4));
    }
}
