package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaxPool2dTest {

    private static int[] outHw(MaxPool2d pool, int h, int w) {
        int[] s = pool.outputShape(new int[] {2, 3, h, w});
        assertEquals(2, s[0]);
        assertEquals(3, s[1]);
        return new int[] {s[2], s[3]};
    }

    @Test
    void ceilModeOutputSizes() {
        MaxPool2d p3s2 = new MaxPool2d(3, 2, 0, true);
        assertArrayEquals(new int[] {56, 56}, outHw(p3s2, 112, 112)); // floor mode would give 55
        assertArrayEquals(new int[] {28, 28}, outHw(p3s2, 56, 56));
        assertArrayEquals(new int[] {14, 14}, outHw(p3s2, 28, 28));
        assertArrayEquals(new int[] {7, 7}, outHw(p3s2, 14, 14));   // floor mode would give 6
        assertArrayEquals(new int[] {6, 6}, outHw(p3s2, 13, 13));   // windows at 0..10 end exactly at 13
        assertArrayEquals(new int[] {55, 55}, outHw(new MaxPool2d(3, 2, 0, false), 112, 112));
        assertArrayEquals(new int[] {7, 7}, outHw(new MaxPool2d(2, 2, 0, true), 14, 14));
        assertArrayEquals(new int[] {7, 6}, outHw(new MaxPool2d(2, 2, 0, true), 13, 11));
        assertArrayEquals(new int[] {14, 14}, outHw(new MaxPool2d(3, 1, 1, true), 14, 14));
        // 3 with 3x3/2 pad 1: ceil((3+2-3)/2)+1 = 3, but the third window would start at 3 = in + pad - pad,
        // i.e. entirely in the right padding, so PyTorch drops it
        assertArrayEquals(new int[] {2, 2}, outHw(new MaxPool2d(3, 2, 1, true), 3, 3));
        assertArrayEquals(new int[] {2, 2}, outHw(new MaxPool2d(3, 2, 1, false), 3, 3));
    }

    @Test
    void forwardAndBackwardOnHandExample() {
        // 3x3/2 ceil on 4x4: windows cover rows/cols [0,3) and [2,4) (the second clipped at the edge)
        Tensor x = Tensor.of(new float[] {
                3, 9, 1, 4,
                7, 2, 8, 6,
                5, 12, 0, 11,
                10, 13, 15, 14}, 1, 1, 4, 4);
        MaxPool2d pool = new MaxPool2d(3, 2, 0, true);
        Tensor y = pool.forward(x, true);
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {12, 11, 15, 15}, y.data());

        Tensor dx = pool.backward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2)).copy();
        // 15 at (3,2) won two overlapping windows: its gradients add up
        assertArrayEquals(new float[] {
                0, 0, 0, 0,
                0, 0, 0, 0,
                0, 1, 0, 2,
                0, 0, 7, 0}, dx.data());
    }

    @Test
    void tiesGoToTheFirstMaximumInRowMajorOrder() {
        Tensor x = Tensor.of(new float[] {
                1, 7, 2, 2,
                7, 7, 2, 2}, 1, 1, 2, 4);
        MaxPool2d pool = new MaxPool2d(2, 2);
        assertArrayEquals(new float[] {7, 2}, pool.forward(x, true).data());
        Tensor dx = pool.backward(Tensor.of(new float[] {5, 6}, 1, 1, 1, 2)).copy();
        assertArrayEquals(new float[] {
                0, 5, 6, 0,
                0, 0, 0, 0}, dx.data());
    }

    @Test
    void paddingActsAsMinusInfinity() {
        // all-negative input: zero padding would win every window, -inf padding never does
        Tensor x = Tensor.of(new float[] {-4, -2, -3, -1}, 1, 1, 2, 2);
        MaxPool2d pool = new MaxPool2d(3, 1, 1, true);
        Tensor y = pool.forward(x, true);
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {-1, -1, -1, -1}, y.data());
        Tensor dx = pool.backward(Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2)).copy();
        assertArrayEquals(new float[] {0, 0, 0, 4}, dx.data());
    }

    @Test
    void ceilWindowHangingPastTheEndCoversOnlyValidElements() {
        // 2x2/2 ceil on 2x3: the last window is column 2 alone, {-5, -6}; padding zeros would have won
        Tensor x = Tensor.of(new float[] {-3, -2, -5, -1, -4, -6}, 1, 1, 2, 3);
        Tensor y = new MaxPool2d(2, 2, 0, true).forward(x, false);
        assertArrayEquals(new int[] {1, 1, 1, 2}, y.shape());
        assertArrayEquals(new float[] {-1, -5}, y.data());
    }

    @Test
    void nanPropagatesLikePyTorch() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, 2}, 1, 1, 2, 2);
        assertTrue(Float.isNaN(new MaxPool2d(2, 2).forward(x, false).data()[0]));
    }

    @Test
    void channelsAndBatchAreIndependentPlanes() {
        Tensor x = Tensor.zeros(2, 3, 2, 2);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (i * 7) % 12; // plane p holds 4 values; its max differs per plane
        }
        Tensor y = new MaxPool2d(2, 2).forward(x, false);
        assertArrayEquals(new int[] {2, 3, 1, 1}, y.shape());
        for (int p = 0; p < 6; p++) {
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < 4; k++) {
                max = Math.max(max, x.data()[p * 4 + k]);
            }
            assertEquals(max, y.data()[p], "plane " + p);
        }
    }

    /** Distinct values 1/64 apart (exact in float), so a step of 1/256 never changes which element wins. */
    private static Tensor distinct(long seed, int... shape) {
        Tensor x = Tensor.zeros(shape);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (order.get(i) - x.size() / 2) / 64f;
        }
        return x;
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        MaxPool2d[] pools = {
                new MaxPool2d(3, 2, 0, true), new MaxPool2d(3, 2, 1, true), new MaxPool2d(2, 2, 0, true),
                new MaxPool2d(3, 1, 1, true), new MaxPool2d(3, 2, 1, false), new MaxPool2d(5, 3, 2, true)};
        for (MaxPool2d pool : pools) {
            GradCheck.check(pool, distinct(11, 2, 7, 13, 11), true, 1.0 / 256, 1e-4, 2002);
        }
    }

    @Test
    void rejectsBadInputAndArguments() {
        MaxPool2d pool = new MaxPool2d(3, 2, 0, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.forward(Tensor.zeros(3, 4, 5), false));
        assertTrue(e.getMessage().contains("MaxPool2d") && e.getMessage().contains("[3,4,5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(1, 1, 2, 5), false));
        assertTrue(e.getMessage().contains("MaxPool2d") && e.getMessage().contains("[1,1,2,5]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(3, 2, 3, false));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(0, 1, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 0, 0, false));
        assertThrows(IllegalStateException.class, () -> new MaxPool2d(2, 2).backward(Tensor.zeros(1, 1, 1, 1)).copy());
        pool.forward(Tensor.zeros(1, 1, 4, 4), true);
        assertThrows(IllegalArgumentException.class, () -> pool.backward(Tensor.zeros(1, 1, 3, 3)).copy());
    }
}
