package dev.googlenet.kernels;

import dev.googlenet.testing.ThreadPools;
import dev.googlenet.tensor.Shape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolingTest {
    @BeforeAll
    static void vectorKernels() {
        EngineConfigureTest.requireVectorKernels(); // the facades below must reach the vector kernels
    }

    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();
    private static final Parallel one = POOLS.one();
    private static final Parallel two = POOLS.two();

    @ParameterizedTest(name = "{0}×{1}, kernel {2}/{3} pad {4}")
    @CsvSource({"13, 11, 3, 1, 1", "7, 7, 3, 1, 1", "1, 5, 3, 1, 1", "5, 2, 3, 1, 1", "40, 37, 3, 1, 1",
            "28, 28, 3, 1, 1", "14, 19, 3, 1, 1", "3, 50, 3, 1, 1",
            "13, 11, 3, 2, 0", "14, 14, 2, 2, 0", "28, 28, 3, 2, 0",
            "112, 112, 3, 2, 0", "56, 56, 3, 2, 0", "70, 34, 2, 2, 0", "6, 30, 3, 2, 0"}) // GoogLeNet's stride-2 pools
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
        int oh = Shape.pooledSize(h, k, s, p, true);
        int ow = Shape.pooledSize(w, k, s, p, true);
        float[] ref = new float[planes * oh * ow], fast = new float[ref.length];
        int[] refIdx = new int[ref.length], fastIdx = new int[ref.length];
        Pooling.maxPoolReference(in, 0, planes, h, w, k, s, p, oh, ow, ref, refIdx);
        Pooling.maxPool(in, planes, h, w, k, s, p, oh, ow, fast, null);
        assertArrayEquals(ref, fast);
        Pooling.maxPool(in, planes, h, w, k, s, p, oh, ow, fast, fastIdx);
        assertArrayEquals(refIdx, fastIdx);
    }

    /**
     * A range of planes pooled on the calling thread into a buffer at an offset, packed or with gaps between the
     * planes: the maxima of the whole-tensor kernel, bit for bit (NaN planes, which take the reference, included),
     * and nothing written outside the planes.
     */
    @ParameterizedTest(name = "{0}×{1}, kernel {2}/{3} pad {4}")
    @CsvSource({"13, 11, 3, 1, 1", "7, 7, 3, 1, 1", "1, 5, 3, 1, 1", "28, 28, 3, 1, 1", "4, 4, 3, 1, 1",
            "13, 11, 3, 2, 0", "14, 14, 2, 2, 0"})
    void planesAtAnOffsetMatchTheWholeTensor(int h, int w, int k, int s, int p) {
        Random rnd = new Random(h * 17 + w);
        int planes = 23;
        float[] in = new float[planes * h * w];
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextInt(50) - 25;
        }
        in[9 * h * w + h * w / 2] = Float.NaN; // plane 9
        int oh = Shape.pooledSize(h, k, s, p, true), ow = Shape.pooledSize(w, k, s, p, true), plane = oh * ow;
        float[] whole = new float[planes * plane];
        Pooling.maxPool(two, in, planes, h, w, k, s, p, oh, ow, whole, null);
        for (int stride : new int[] {plane, plane + 5, 3 * plane}) { // packed, and with gaps that stay untouched
            for (int[] range : new int[][] {{0, planes}, {5, 12}, {9, 10}, {22, 23}}) {
                int from = range[0], to = range[1], off = 3;
                float[] part = new float[off + (to - from) * stride + 2];
                Arrays.fill(part, 42f);
                Pooling.maxPoolPlanes(in, from, to, h, w, k, s, p, oh, ow, part, off, stride);
                float[] want = new float[part.length];
                Arrays.fill(want, 42f);
                for (int q = from; q < to; q++) {
                    System.arraycopy(whole, q * plane, want, off + (q - from) * stride, plane);
                }
                assertArrayEquals(want, part, "planes " + from + ".." + to + ", stride " + stride);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> Pooling.maxPoolPlanes(in, 0, 1, h, w, k, s, p, oh, ow, new float[plane], 0, plane - 1));
    }

    /**
     * The stride-2 kernel's last vector reads one value past its group of planes, the first of the next plane (as a
     * third tap at a row's end, where the window stops): whatever that value is, the maxima are the reference's. And a
     * group that ends the array, where those loads would fall outside it, is right too.
     */
    @ParameterizedTest(name = "{0}×{0}, kernel {1}")
    @CsvSource({"56, 3", "28, 3", "112, 3", "14, 2", "30, 3"})
    void valuesPastAHalvingGroupDoNotReachItsMaxima(int size, int k) {
        Random rnd = new Random(size);
        int planes = 9, plane = size * size, oh = Shape.pooledSize(size, k, 2, 0, true);
        float[] in = new float[planes * plane];
        for (int i = 0; i < in.length; i++) {
            in[i] = rnd.nextInt(50) - 25;
        }
        for (float past : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f}) {
            for (int to = 1; to <= planes; to++) {
                float[] data = in.clone();
                if (to < planes) {
                    data[to * plane] = past; // the first value after planes [0, to)
                }
                float[] want = new float[to * oh * oh], got = new float[want.length];
                Pooling.maxPoolReference(data, 0, to, size, size, k, 2, 0, oh, oh, want, null);
                Pooling.maxPoolPlanes(data, 0, to, size, size, k, 2, 0, oh, oh, got, 0, oh * oh);
                assertArrayEquals(want, got, "planes 0.." + to + ", then " + past);
            }
        }
    }

    /**
     * Every map size 1..20 (plus 28 and 56) against kernels 2 and 3, strides 1–3, padding 0 and 1, ceil and floor
     * output sizes: maxima (bit patterns) and argmax equal the reference, and backward equals a plain scatter.
     * Data cycles through ties, signed zeros, NaNs (with payloads, to see which one wins) and infinities.
     */
    @ParameterizedTest(name = "{0} thread(s)")
    @ValueSource(ints = {1, 2})
    void everySmallShapeMatchesReference(int threads) {
        Parallel pool = threads == 1 ? one : two;
        int[] sizes = new int[22];
        for (int i = 0; i < 20; i++) {
            sizes[i] = i + 1;
        }
        sizes[20] = 28;
        sizes[21] = 56;
        int[] planeCounts = {1, 3, 37};
        int config = 0;
        for (int h : sizes) {
            for (int w : sizes) {
                for (int k = 2; k <= 3; k++) {
                    for (int s = 1; s <= 3; s++) {
                        for (int p = 0; p <= 1; p++) {
                            for (boolean ceil : new boolean[] {true, false}) {
                                int planes = planeCounts[config % 3];
                                if (h >= 28 && w >= 28) {
                                    planes = Math.min(planes, 3); // big maps: a few planes are enough
                                }
                                check(pool, h, w, k, s, p, ceil, planes, config++);
                            }
                        }
                    }
                }
            }
        }
        // larger windows, once
        for (int k : new int[] {5, 7}) {
            for (int h : new int[] {7, 9, 12, 20}) {
                for (int s = 1; s <= 3; s++) {
                    for (int p = 0; p <= 1; p++) {
                        check(pool, h, h + 3, k, s, p, true, 3, config++);
                        check(pool, h + 1, h, k, s, p + 2, false, 37, config++);
                    }
                }
            }
        }
    }

    private static void check(Parallel pool, int h, int w, int k, int s, int p, boolean ceil, int planes, int seed) {
        if (h + 2 * p < k || w + 2 * p < k) {
            return; // no window fits
        }
        int oh = Shape.pooledSize(h, k, s, p, ceil), ow = Shape.pooledSize(w, k, s, p, ceil);
        String what = planes + "×" + h + "×" + w + " k" + k + " s" + s + " p" + p + (ceil ? " ceil" : " floor")
                + " data " + seed % 4;
        float[] in = data(new Random(seed), planes * h * w, seed % 4);
        float[] ref = new float[planes * oh * ow];
        int[] refIdx = new int[ref.length];
        Pooling.maxPoolReference(in, 0, planes, h, w, k, s, p, oh, ow, ref, refIdx);

        float[] fast = new float[ref.length];
        Arrays.fill(fast, 42f);
        Pooling.maxPool(pool, in, planes, h, w, k, s, p, oh, ow, fast, null);
        assertArrayEquals(bits(ref), bits(fast), what + ", no argmax");
        int[] fastIdx = new int[ref.length];
        Arrays.fill(fast, 42f);
        Pooling.maxPool(pool, in, planes, h, w, k, s, p, oh, ow, fast, fastIdx);
        assertArrayEquals(bits(ref), bits(fast), what);
        assertArrayEquals(refIdx, fastIdx, what + ", argmax");

        // backward: a plain scatter of random gradients, summed in output order
        Random rnd = new Random(seed + 1);
        float[] g = new float[ref.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = rnd.nextFloat() * 2 - 1;
        }
        float[] expect = new float[in.length + 5];
        Arrays.fill(expect, in.length, expect.length, 7f); // beyond the planes: left alone
        for (int o = 0; o < g.length; o++) {
            expect[refIdx[o]] += g[o];
        }
        float[] dx = new float[expect.length];
        Arrays.fill(dx, 7f); // old contents are overwritten
        Pooling.maxPoolBackward(pool, g, refIdx, planes, oh * ow, h * w, dx);
        assertArrayEquals(bits(expect), bits(dx), what + ", backward");
    }

    /** Flavour 0: small integers (ties); 1: with −0 and +0; 2: NaNs with payloads; 3: ±∞ and a −∞ plane. */
    private static float[] data(Random rnd, int n, int flavour) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextInt(5) - 2;
            switch (flavour) {
                case 1 -> {
                    if (x[i] == 0 && rnd.nextBoolean()) {
                        x[i] = -0f;
                    }
                }
                case 2 -> {
                    if (rnd.nextInt(60) == 0) {
                        x[i] = Float.intBitsToFloat(0x7fc00000 + rnd.nextInt(1000));
                    }
                }
                case 3 -> {
                    int r = rnd.nextInt(40);
                    if (r == 0) {
                        x[i] = Float.NEGATIVE_INFINITY;
                    } else if (r == 1) {
                        x[i] = Float.POSITIVE_INFINITY;
                    } else if (r == 2) {
                        x[i] = -Float.MAX_VALUE;
                    }
                }
                default -> {
                }
            }
        }
        if (flavour == 3 && n > 0) {
            int len = Math.min(n, 1 + rnd.nextInt(Math.min(n, 60)));
            Arrays.fill(x, 0, len, Float.NEGATIVE_INFINITY); // windows with nothing but −∞
        }
        return x;
    }

    private static int[] bits(float[] x) {
        int[] b = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            b[i] = Float.floatToRawIntBits(x[i]);
        }
        return b;
    }

    @Test
    void backwardRejectsAnIndexOutsideItsPlane() {
        float[] g = {1, 2, 3, 4};
        int[] idx = {0, 1, 2, 5}; // plane 1 (inputs 4..7) is fine; plane 0's output 1 points into plane 1
        idx[1] = 4;
        float[] dx = new float[8];
        assertThrows(IllegalArgumentException.class, () -> Pooling.maxPoolBackward(one, g, idx, 2, 2, 4, dx));
    }
}
