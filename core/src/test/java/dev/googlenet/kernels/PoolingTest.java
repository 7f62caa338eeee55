package dev.googlenet.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class PoolingTest {

    @ParameterizedTest(name = "{0}×{1}, kernel {2}/{3} pad {4}")
    @CsvSource({"13, 11, 3, 1, 1", "7, 7, 3, 1, 1", "1, 5, 3, 1, 1", "5, 2, 3, 1, 1", "40, 37, 3, 1, 1",
            "28, 28, 3, 1, 1", "14, 19, 3, 1, 1", "3, 50, 3, 1, 1",
            "13, 11, 3, 2, 0", "14, 14, 2, 2, 0", "28, 28, 3, 2, 0"})
    void fastMaxPoolMatchesReference(int h, int w, int k, int s, int p) {
        Random rnd = new Random(h * 31 + w);
        int planes = 7;
        float[] in = new float[planes * h * w];
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextInt(50) - 25; // small integers: plenty of ties
        }
        in[3] = Float.NaN;
        if (in.length > 200) {
            in[in.length / 2 + 20] = Float.NaN; // inside the vectorized columns too
        }
        int oh = dev.googlenet.tensor.Shape.pooledSize(h, k, s, p, true);
        int ow = dev.googlenet.tensor.Shape.pooledSize(w, k, s, p, true);
        float[] ref = new float[planes * oh * ow], fast = new float[ref.length];
        int[] refIdx = new int[ref.length], fastIdx = new int[ref.length];
        Pooling.maxPoolReference(in, 0, planes, h, w, k, s, p, oh, ow, ref, refIdx);
        Pooling.maxPool(in, planes, h, w, k, s, p, oh, ow, fast, null);
        assertArrayEquals(ref, fast);
        Pooling.maxPool(in, planes, h, w, k, s, p, oh, ow, fast, fastIdx);
        assertArrayEquals(refIdx, fastIdx);
    }
}
