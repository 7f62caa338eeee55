package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LrnKernelsTest {
    private static float[] random(Random r, int n, float amplitude) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (r.nextFloat() * 2 - 1) * amplitude;
        }
        return a;
    }

    private static void assertClose(float[] expected, float[] actual, double rel, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rel * Math.max(1e-3, Math.abs(expected[i])), what + " at " + i);
        }
    }

    @Test
    void vectorKernelsFollowTheReferenceOnOddShapes() {
        Random r = new Random(3);
        int[][] shapes = {{1, 1, 1}, {2, 3, 5}, {1, 7, 17}, {3, 5, 49}, {2, 16, 16}, {1, 9, 33}, {2, 6, 196}};
        LrnKernels.Params[] settings = {
                new LrnKernels.Params(5, 2, 2, 1e-4f, 0.75f, 1f),     // GoogLeNet's
                new LrnKernels.Params(3, 1, 1, 0.5f, 0.75f, 2f),      // strong normalization: √√ path matters
                new LrnKernels.Params(4, 1, 2, 0.2f, 0.6f, 1.5f)};    // even size, another β (POW path)
        for (int[] s : shapes) {
            for (LrnKernels.Params p : settings) {
                int batch = s[0], channels = s[1], hw = s[2], n = batch * channels * hw;
                float[] a = random(r, n, 10f), g = random(r, n, 1f);
                float[] scaleRef = new float[n], bRef = new float[n], scale = new float[n], b = new float[n];
                LrnKernels.forwardReference(a, scaleRef, bRef, batch, channels, hw, p);
                VectorLrn.forward(a, scale, b, batch, channels, hw, p);
                String what = java.util.Arrays.toString(s) + " " + p;
                assertClose(scaleRef, scale, 0, "scale " + what); // the same sums in the same order
                assertClose(bRef, b, 5e-7, "output " + what); // √s·√√s vs Math.pow: a few ulp
                float[] daRef = new float[n], da = new float[n], t = new float[n];
                LrnKernels.backwardReference(a, scaleRef, g, daRef, batch, channels, hw, p);
                VectorLrn.backward(a, scale, g, da, t, batch, channels, hw, p);
                // the gradient is a difference of two terms that can cancel: judge it against the largest one
                float largest = 0f;
                for (float v : daRef) {
                    largest = Math.max(largest, Math.abs(v));
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(daRef[i], da[i], 1e-5 * largest, "input gradient " + what + " at " + i);
                }
            }
        }
    }
}
