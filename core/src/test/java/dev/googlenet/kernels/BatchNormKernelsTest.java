package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchNormKernelsTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 15, 16, 17, 31, 33, 49, 64, 100, 196, 197};

    private static float[] random(Random r, int n, float offset) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = offset + (r.nextFloat() * 2 - 1) * (i % 5 == 0 ? 0f : 1f); // some exact zeros for the ReLU mask
        }
        return a;
    }

    private static void assertClose(float[] expected, float[] actual, double tol, String what) {
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol * scale, what + " at " + i);
        }
    }

    @Test
    void normalizeMatchesTheReferenceOnOddLengthsWithAndWithoutRelu() {
        Random r = new Random(1);
        for (int len : LENGTHS) {
            for (boolean relu : new boolean[] {false, true}) {
                int off = 3;
                float[] x = random(r, off + len + 5, 0.2f);
                float[] fast = new float[x.length], ref = new float[x.length];
                VectorBatchNorm.normalize(x, fast, off, len, 0.3f, 1.7f, -0.1f, relu);
                BatchNormKernels.normalizeReference(x, ref, off, len, 0.3f, 1.7f, -0.1f, relu);
                assertClose(ref, fast, 1e-6, "normalize len " + len + " relu " + relu);
                if (relu) {
                    for (int i = off; i < off + len; i++) {
                        assertEquals(Math.max(0f, (x[i] - 0.3f) * 1.7f - 0.1f), fast[i], 1e-6f);
                    }
                }
                assertEquals(0f, fast[off - 1]); // nothing outside [off, off+len) is written
                assertEquals(0f, fast[off + len]);
            }
        }
    }

    @Test
    void gradientSumsAndInputGradientMatchTheReference() {
        Random r = new Random(2);
        for (int len : LENGTHS) {
            for (boolean relu : new boolean[] {false, true}) {
                int off = 5;
                float[] dy = random(r, off + len + 3, 0f), y = random(r, dy.length, 0f), x = random(r, dy.length, 1f);
                double[] fast = new double[2], ref = new double[2];
                VectorBatchNorm.gradientSums(dy, y, x, off, len, 0.9f, relu, fast, 0);
                BatchNormKernels.gradientSumsReference(dy, y, x, off, len, 0.9f, relu, ref);
                assertEquals(ref[0], fast[0], 1e-5 * Math.max(1, len), "Σg len " + len);
                assertEquals(ref[1], fast[1], 1e-5 * Math.max(1, len), "Σg(x−μ) len " + len);
                // into sums[at], sums[at+1], added to what is there (BatchNorm2d sums per channel block)
                double[] fastAt = {5, 6, 1, 2}, refAt = {5, 6, 1, 2};
                VectorBatchNorm.gradientSums(dy, y, x, off, len, 0.9f, relu, fastAt, 2);
                BatchNormKernels.gradientSumsReference(dy, y, x, off, len, 0.9f, relu, refAt, 2);
                for (double[] at : new double[][] {fastAt, refAt}) {
                    assertEquals(5, at[0], 0);
                    assertEquals(6, at[1], 0);
                    assertEquals(1 + ref[0], at[2], 1e-5 * Math.max(1, len));
                    assertEquals(2 + ref[1], at[3], 1e-5 * Math.max(1, len));
                }
                float[] dxFast = new float[dy.length], dxRef = new float[dy.length];
                VectorBatchNorm.inputGradient(dy, y, x, dxFast, off, len, 0.9f, 1.3f, -0.2f, 0.05f, relu);
                BatchNormKernels.inputGradientReference(dy, y, x, dxRef, off, len, 0.9f, 1.3f, -0.2f, 0.05f, relu);
                assertClose(dxRef, dxFast, 1e-6, "dx len " + len + " relu " + relu);
                if (relu) { // where y ≤ 0 only the statistics' terms remain
                    for (int i = off; i < off + len; i++) {
                        if (y[i] <= 0f) {
                            assertEquals((x[i] - 0.9f) * -0.2f + 0.05f, dxFast[i], 1e-6f);
                        }
                    }
                }
            }
        }
    }
}
