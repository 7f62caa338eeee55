package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DropoutTest {

    private static Tensor ones(int... shape) {
        Tensor t = Tensor.zeros(shape);
        t.fill(1f);
        return t;
    }

    @Test
    void identityAtInferenceAndForZeroProbability() {
        Tensor x = GradCheck.random(new Random(1), 4, 10);
        Dropout eval = new Dropout(0.4, 1);
        assertSame(x, eval.forward(x, false));
        Tensor g = GradCheck.random(new Random(2), 4, 10);
        assertSame(g, eval.backward(g));

        Dropout none = new Dropout(0.0, 1);
        assertSame(x, none.forward(x, true));
        assertSame(g, none.backward(g));
    }

    @Test
    void keepsAboutOneMinusPAndScalesExactly() {
        int n = 200_000;
        Dropout d = new Dropout(0.4, 42);
        Tensor y = d.forward(ones(n / 100, 100), true);
        float scale = 1f / 0.6f;
        int kept = 0;
        for (float v : y.data()) {
            if (v != 0f) {
                assertEquals(scale, v, 0f);
                kept++;
            }
        }
        // binomial standard deviation sqrt(0.24/n) ~ 0.0011: a 0.006 margin is over 5 sigma
        assertEquals(0.6, kept / (double) n, 0.006);
    }

    @Test
    void backwardAppliesTheForwardMaskAndScale() {
        Dropout d = new Dropout(0.7, 7);
        Tensor y = d.forward(ones(8, 1024), true); // y = mask * scale
        Tensor g = GradCheck.random(new Random(3), 8, 1024);
        Tensor dx = d.backward(g).copy();
        float[] expected = new float[g.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = y.data()[i] * g.data()[i];
        }
        assertArrayEquals(expected, dx.data(), 0f);
    }

    @Test
    void sameSeedSameMasksAndMasksChangeBetweenCalls() {
        Tensor x = ones(16, 64);
        Dropout a = new Dropout(0.5, 123);
        Dropout b = new Dropout(0.5, 123);
        // outputs live in the layer's buffer until its next forward: keep copies
        float[] a1 = a.forward(x, true).data().clone();
        float[] a2 = a.forward(x, true).data().clone();
        assertArrayEquals(a1, b.forward(x, true).data());
        assertArrayEquals(a2, b.forward(x, true).data());
        assertFalse(java.util.Arrays.equals(a1, a2));
        assertFalse(java.util.Arrays.equals(a1, new Dropout(0.5, 124).forward(x, true).data()));
    }

    @Test
    void probabilityOneDropsEverything() {
        Dropout d = new Dropout(1.0, 5);
        Tensor y = d.forward(GradCheck.random(new Random(4), 3, 5), true);
        assertArrayEquals(new float[15], y.data());
        assertArrayEquals(new float[15], d.backward(ones(3, 5)).copy().data());
    }

    @Test
    void backwardMatchesFiniteDifferencesWithAFixedMask() {
        // a fresh layer with the same seed per forward draws the same mask every time, which makes the
        // training-mode function deterministic and so checkable by finite differences
        Layer sameMask = new Layer() {
            private Dropout last;

            @Override
            public Tensor forward(Tensor x, boolean training) {
                last = new Dropout(0.3, 99);
                return last.forward(x, training);
            }

            @Override
            public Tensor backward(Tensor gradOut) {
                return last.backward(gradOut).copy();
            }
        };
        GradCheck.check(sameMask, GradCheck.random(new Random(8), 2, 7, 13, 11), true, 1.0 / 128, 1e-4, 2002);
    }

    @Test
    void rejectsBadProbability() {
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN, 0));
        assertThrows(IllegalStateException.class, () -> new Dropout(0.5, 0).backward(ones(1)).copy());
    }
}
