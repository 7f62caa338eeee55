package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LinearAndLossTest {

    @Test
    void linearComputesXWtPlusB() {
        Linear fc = new Linear(3, 2, true);
        System.arraycopy(new float[] {1, 2, 3, -1, 0, 1}, 0, fc.weight().value().data(), 0, 6);
        System.arraycopy(new float[] {0.5f, -0.5f}, 0, fc.bias().value().data(), 0, 2);
        Tensor y = fc.forward(Tensor.of(new float[] {1, 1, 1, 2, 0, -1}, 2, 3), false);
        assertArrayEquals(new float[] {6.5f, -0.5f, -0.5f, -3.5f}, y.data(), 1e-6f);
    }

    @Test
    void linearBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(9);
        Linear fc = new Linear(13, 7, true);
        System.arraycopy(GradCheck.random(rnd, 7, 13).data(), 0, fc.weight().value().data(), 0, 91);
        GradCheck.check(fc, GradCheck.random(rnd, 3, 13), true, 1e-2, 1e-3, 200);
    }

    @Test
    void crossEntropyMatchesHandComputedValue() {
        // logits [0, ln 2, ln 3] → softmax [1/6, 2/6, 3/6]; label 2 → loss ln 2
        float l2 = (float) Math.log(2), l3 = (float) Math.log(3);
        var r = SoftmaxCrossEntropy.compute(Tensor.of(new float[] {0, l2, l3, 0, l2, l3}, 2, 3), new int[] {2, 0});
        assertEquals((Math.log(2) + Math.log(6)) / 2, r.loss(), 1e-6);
        assertArrayEquals(new float[] {1 / 12f, 2 / 12f, -3 / 12f, -5 / 12f, 2 / 12f, 3 / 12f},
                r.gradLogits().data(), 1e-6f);
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        Random rnd = new Random(11);
        Tensor z = GradCheck.random(rnd, 4, 9);
        int[] labels = {0, 8, 3, 3};
        float[] g = SoftmaxCrossEntropy.compute(z, labels).gradLogits().data();
        double eps = 1e-3;
        for (int i = 0; i < z.size(); i++) {
            float saved = z.data()[i];
            z.data()[i] = (float) (saved + eps);
            double plus = SoftmaxCrossEntropy.compute(z, labels).loss();
            z.data()[i] = (float) (saved - eps);
            double minus = SoftmaxCrossEntropy.compute(z, labels).loss();
            z.data()[i] = saved;
            assertEquals((plus - minus) / (2 * eps), g[i], 2e-4, "element " + i);
        }
    }

    @Test
    void crossEntropyRejectsLabelOutOfRange() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> SoftmaxCrossEntropy.compute(Tensor.zeros(1, 3), new int[] {3}));
        assertEquals("cross-entropy: label 3 of sample 0 outside 0..2", e.getMessage());
    }
}
