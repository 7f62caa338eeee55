package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The vector kernels and the scalar references against plain loops written here, on lengths that leave remainders
 * and span several parallel chunks.
 */
class ElementwiseTest {
    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    @Test
    void reluItsBackwardAndAdd() {
        Random rnd = new Random(1);
        for (int n : new int[] {1, 15, 17, 100_003}) {
            float[] x = random(rnd, n), dy = random(rnd, n);
            for (boolean vector : new boolean[] {true, false}) {
                float[] y = new float[n], dx = new float[n], sum = x.clone();
                if (vector) {
                    VectorElementwise.relu(x, y, n);
                    VectorElementwise.reluBackward(y, dy, dx, n);
                    VectorElementwise.addInPlace(sum, dy, n);
                } else {
                    Elementwise.reluReference(x, y, n);
                    Elementwise.reluBackwardReference(y, dy, dx, n);
                    Elementwise.addInPlaceReference(sum, dy, n);
                }
                for (int i = 0; i < n; i++) {
                    String at = (vector ? "vector" : "scalar") + " n " + n + " at " + i;
                    assertEquals(Math.max(x[i], 0f), y[i], 0f, at);
                    assertEquals(x[i] > 0 ? dy[i] : 0f, dx[i], 0f, at);
                    assertEquals(x[i] + dy[i], sum[i], 0f, at);
                }
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
            assertEquals(sum, VectorElementwise.sum(a, 3, len), 1e-6 * len);
            assertEquals(dev, VectorElementwise.sumSquaredDeviations(a, 3, len, 0.25f), 1e-6 * dev);
            assertEquals(dot, VectorElementwise.dot(a, b, 3, len), 1e-6 * len);
            // the references sum in double as the loop above does (the deviation is rounded to float first)
            assertEquals(sum, Elementwise.sumReference(a, 3, len), 1e-12 * len);
            assertEquals(dev, Elementwise.sumSquaredDeviationsReference(a, 3, len, 0.25f), 1e-7 * dev);
            assertEquals(dot, Elementwise.dotReference(a, b, 3, len), 1e-12 * len);
            float[] expected = new float[len + 3];
            for (int i = 3; i < len + 3; i++) {
                expected[i] = a[i] * 1.5f - 0.5f;
            }
            float[] y = new float[len + 3], yRef = new float[len + 3];
            VectorElementwise.affine(a, y, 3, len, 1.5f, -0.5f);
            Elementwise.affineReference(a, yRef, 3, len, 1.5f, -0.5f);
            assertArrayEquals(expected, y, 1e-6f);
            assertArrayEquals(expected, yRef, 0f);
            float[] d = b.clone(), dRef = b.clone();
            VectorElementwise.fmaInPlace(d, a, 3, len, 2f);
            Elementwise.fmaInPlaceReference(dRef, a, 3, len, 2f);
            for (int i = 0; i < len + 3; i++) {
                float want = i < 3 ? b[i] : b[i] + 2f * a[i];
                assertEquals(want, d[i], 1e-6f);
                assertEquals(want, dRef[i], 0f);
            }
        }
    }
}
