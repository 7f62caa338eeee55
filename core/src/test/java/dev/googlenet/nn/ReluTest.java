package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ReluTest {
    @Test
    void forwardClampsNegatives() {
        Tensor y = new Relu().forward(Tensor.of(new float[] {-2f, 0f, 3f}, 3), false);
        assertArrayEquals(new float[] {0f, 0f, 3f}, y.data());
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Tensor x = GradCheck.random(new Random(7), 2, 3, 5, 4);
        for (int i = 0; i < x.size(); i++) { // keep inputs away from the kink at 0
            x.data()[i] += Math.copySign(0.05f, x.data()[i]);
        }
        GradCheck.check(new Relu(), x, true, 1e-3, 1e-3, 200);
    }
}
