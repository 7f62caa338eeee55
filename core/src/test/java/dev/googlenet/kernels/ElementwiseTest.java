package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vector kernels against plain loops, on lengths that leave remainders and span several parallel chunks. */
class ElementwiseTest {
    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    @Test
    void reluAndItsBackward() {
        Random rnd = new Random(1);
        for (int n : new int[] {1, 15, 17, 100_003}) {
            float[] x = random(rnd, n), dy = random(rnd, n), y = new float[n], dx = new float[n];
            Elementwise.relu(x, y, n);
            Elementwise.reluBackward(y, dy, dx, n);
            for (int i = 0; i < n; i++) {
                assertEquals(Math.max(x[i], 0f), y[i], 0f);
                assertEquals(x[i] > 0 ? dy[i] : 0f, dx[i], 0f);
            }
        }
    }

    @Test
    void reductionsAndAffine() {
        Random rnd = new Random(2);
        for (int len : new int[] {1, 7, 49, 196, 785}) {
            float[] a = random(rnd, len + 3), b = random(rnd, len + 3);
            double sum = 0, dev = 0, dot = 0;
            for (int i = 3; i < len + 3; i++) {
                sum += a[i];
                dev += (a[i] - 0.25) * (a[i] - 0.25);
                dot += (double) a[i] * b[i];
            }
            // float lanes, double total: relative error of float summation
            assertEquals(sum, Elementwise.sum(a, 3, len), 1e-6 * len);
            assertEquals(dev, Elementwise.sumSquaredDeviations(a, 3, len, 0.25f), 1e-6 * dev);
            assertEquals(dot, Elementwise.dot(a, b, 3, len), 1e-6 * len);
            float[] y = new float[len + 3], expected = new float[len + 3];
            Elementwise.affine(a, y, 3, len, 1.5f, -0.5f);
            for (int i = 3; i < len + 3; i++) {
                expected[i] = a[i] * 1.5f - 0.5f;
            }
            assertArrayEquals(expected, y, 1e-6f);
            float[] d = b.clone();
            Elementwise.fmaInPlace(d, a, 3, len, 2f);
            for (int i = 3; i < len + 3; i++) {
                assertEquals(b[i] + 2f * a[i], d[i], 1e-6f);
            }
        }
    }
}
