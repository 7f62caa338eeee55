package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AvgPool2dTest {

    private static Tensor ones(int... shape) {
        Tensor t = Tensor.zeros(shape);
        t.fill(1f);
        return t;
    }

    @Test
    void paperOutputSizes() {
        // aux heads: 5x5/3 on 14x14 -> 4x4; final: 7x7/1 on 7x7 -> 1x1
        assertArrayEquals(new int[] {2, 512, 4, 4}, new AvgPool2d(5, 3).outputShape(new int[] {2, 512, 14, 14}));
        assertArrayEquals(new int[] {2, 1024, 1, 1}, new AvgPool2d(7, 1).outputShape(new int[] {2, 1024, 7, 7}));
    }

    @Test
    void divisorsAtPaddedCeilModeBorders() {
        // 3x3/2, pad 1, ceil, on 4x4 -> 3x3. Along each axis the windows are
        //   [-1,2): 2 inputs, 3 with padding;  [1,4): 3 and 3;  [3,6) clipped to the padded input [3,5): 1 and 2.
        Tensor x = ones(1, 1, 4, 4);
        Tensor excl = new AvgPool2d(3, 2, 1, true, false).forward(x, false);
        assertArrayEquals(new int[] {1, 1, 3, 3}, excl.shape());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, excl.data()); // mean of ones is 1 everywhere

        Tensor incl = new AvgPool2d(3, 2, 1, true, true).forward(x, false);
        // (inputs_i * inputs_j) / (padded_i * padded_j) with inputs = {2,3,1}, padded = {3,3,2}
        assertArrayEquals(new float[] {
                4f / 9, 6f / 9, 2f / 6,
                6f / 9, 9f / 9, 3f / 6,
                2f / 6, 3f / 6, 1f / 4}, incl.data(), 1e-7f);
    }

    @Test
    void ceilWindowPastTheEndIsNotCountedEvenWithCountIncludePad() {
        // 2x2/2 ceil, no padding, on 3x3 holding 1..9: the overhanging windows average only what exists
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        for (boolean includePad : new boolean[] {false, true}) {
            AvgPool2d pool = new AvgPool2d(2, 2, 0, true, includePad);
            Tensor y = pool.forward(x, true);
            assertArrayEquals(new float[] {(1 + 2 + 4 + 5) / 4f, (3 + 6) / 2f, (7 + 8) / 2f, 9f}, y.data());
            Tensor dx = pool.backward(ones(1, 1, 2, 2)).copy();
            assertArrayEquals(new float[] {
                    0.25f, 0.25f, 0.5f,
                    0.25f, 0.25f, 0.5f,
                    0.5f, 0.5f, 1f}, dx.data());
        }
    }

    @Test
    void sumsValuesWithPaddingByBothRules() {
        // 3x3/1 pad 1 on 2x2 {1,2,3,4}: every window holds all four inputs (sum 10)
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor excl = new AvgPool2d(3, 1, 1, false, false).forward(x, false);
        assertArrayEquals(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, excl.data());
        // with padding counted each window spans rows/cols [-1,2) or [0,3): 3x3 = 9 positions
        Tensor incl = new AvgPool2d(3, 1, 1, false, true).forward(x, false);
        assertArrayEquals(new float[] {10f / 9, 10f / 9, 10f / 9, 10f / 9}, incl.data());
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        AvgPool2d[] pools = {
                new AvgPool2d(3, 2, 1, true, false), new AvgPool2d(3, 2, 1, true, true),
                new AvgPool2d(2, 2, 0, true, true), new AvgPool2d(3, 1, 1, true, false),
                new AvgPool2d(5, 3, 0, false, true), new AvgPool2d(5, 3, 2, true, true),
                new AvgPool2d(5, 3, 2, true, false)};
        for (AvgPool2d pool : pools) {
            Tensor x = GradCheck.random(new Random(3), 2, 7, 13, 11);
            GradCheck.check(pool, x, true, 1.0 / 128, 1e-3, 2002); // linear: a large step is exact
        }
    }

    @Test
    void rejectsBadInput() {
        AvgPool2d pool = new AvgPool2d(3, 2, 0, true, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.forward(Tensor.zeros(2, 6), false));
        assertTrue(e.getMessage().contains("AvgPool2d") && e.getMessage().contains("[2,6]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(1, 1, 2, 2), false));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(2, 1, 2, false, true));
        assertThrows(IllegalStateException.class, () -> pool.backward(Tensor.zeros(1, 1, 1, 1)).copy());
    }
}
