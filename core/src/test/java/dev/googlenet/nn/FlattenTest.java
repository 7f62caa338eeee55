package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlattenTest {

    @Test
    void flattensAllButTheBatchInRowMajorOrder() {
        Tensor x = GradCheck.random(new Random(1), 2, 3, 4, 5);
        Flatten f = new Flatten();
        Tensor y = f.forward(x, true);
        assertArrayEquals(new int[] {2, 60}, y.shape());
        // [n, c, h, w] lands at column c*20 + h*5 + w
        assertEquals(x.get(1, 2, 3, 4), y.get(1, 2 * 20 + 3 * 5 + 4));
        assertEquals(x.get(0, 1, 0, 2), y.get(0, 20 + 2));
        assertArrayEquals(new int[] {8, 1024}, f.outputShape(new int[] {8, 1024, 1, 1}));

        Tensor g = GradCheck.random(new Random(2), 2, 60);
        Tensor dx = f.backward(g).copy();
        assertArrayEquals(new int[] {2, 3, 4, 5}, dx.shape());
        assertArrayEquals(g.data(), dx.data());
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        GradCheck.check(new Flatten(), GradCheck.random(new Random(3), 2, 7, 13, 11), true, 1.0 / 128, 1e-4, 500);
    }

    @Test
    void rejectsBadShapes() {
        Flatten f = new Flatten();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.forward(Tensor.zeros(5), false));
        assertTrue(e.getMessage().contains("Flatten") && e.getMessage().contains("[5]"), e.getMessage());
        f.forward(Tensor.zeros(2, 3, 1, 1), false);
        assertThrows(IllegalArgumentException.class, () -> f.backward(Tensor.zeros(3, 2)).copy());
    }
}
