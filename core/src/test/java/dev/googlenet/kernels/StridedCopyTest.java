package dev.googlenet.kernels;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Picking every s-th element against the plain loop: odd lengths, vector tails, runs ending at the array's end. */
class StridedCopyTest {

    @Test
    void picksEverySthElementLikeTheReference() {
        Random rnd = new Random(5);
        float[] src = new float[301];
        for (int i = 0; i < src.length; i++) {
            src[i] = rnd.nextFloat() - 0.5f;
        }
        for (int stride = 1; stride <= 3; stride++) {
            for (int from : new int[]{0, 1, 7}) {
                for (int n = 0; from + (n - 1) * stride < src.length; n += n < 40 ? 1 : 17) {
                    float[] want = new float[n + 3], got = new float[n + 3];
                    got[n + 2] = want[n + 2] = 9f;
                    StridedCopy.pickReference(src, from, stride, want, 2, n);
                    VectorStridedCopy.pick(src, from, stride, got, 2, n);
                    assertArrayEquals(want, got, "stride " + stride + " from " + from + " n " + n);
                }
            }
            // a run that ends on the array's last element: whole vectors must not read past it
            int n = (src.length - 1) / stride + 1;
            float[] want = new float[n], got = new float[n];
            StridedCopy.pickReference(src, 0, stride, want, 0, n);
            VectorStridedCopy.pick(src, 0, stride, got, 0, n);
            assertArrayEquals(want, got, "stride " + stride + " to the end");
        }
    }
}
