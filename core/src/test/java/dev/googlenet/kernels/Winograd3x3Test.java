package dev.googlenet.kernels;

import dev.googlenet.testing.ThreadPools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Winograd F(2×2,3×3) and F(4×4,3×3) against the direct convolution in double: error relative to the output's
 * magnitude {@code Σ|w||x|}, edge tiles on odd shapes, bias/ReLU/channel-offset variants, batches, bitwise
 * determinism across runs, thread counts and task sizes; and the scalar kernels' plain (flipped) filters.
 */
class Winograd3x3Test {
    @BeforeAll
    static void vectorKernels() {
        EngineConfigureTest.requireVectorKernels(); // the facades below must reach the vector kernels
    }

    /** Bounds on max |y − ref| / Σ|w||x| (measured: see the summary this class prints). */
    private static final double TOL_F2 = 2e-6;
    private static final double TOL_F4 = 2e-5;

    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();
    private static final Parallel one = POOLS.one();
    private static final Parallel two = POOLS.two();
    private static final ConcurrentHashMap<Integer, double[]> WORST = new ConcurrentHashMap<>();

    @AfterAll
    static void reportAccuracy() {
        WORST.forEach((tile, e) -> System.out.printf(Locale.ROOT,
                "Winograd F(%dx%d,3x3): max |err|/sum|w||x| = %.3g, mean of per-case maxima = %.3g over %d cases%n",
                tile, tile, e[0], e[1] / e[2], (long) e[2]));
    }

    static Stream<Arguments> shapes() {
        List<Arguments> list = new ArrayList<>();
        // 40x36 and 57x5 have enough tiles for the fused GEMM + output path (groups split tile rows), the others not
        int[][] maps = {{1, 1}, {2, 3}, {7, 7}, {13, 11}, {14, 14}, {28, 28}, {40, 36}, {57, 5}};
        for (int tile : new int[] {2, 4}) {
            for (int cin : new int[] {1, 3, 7, 64}) {
                for (int cout : new int[] {1, 5, 48, 80}) { // 80: two uneven panels of output channels
                    for (int[] hw : maps) {
                        list.add(Arguments.of(tile, cin, cout, hw[0], hw[1]));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "F({0}) cin={1} cout={2} map={3}x{4}")
    @MethodSource("shapes")
    void matchesDirectConvolution(int tile, int cin, int cout, int h, int w) {
        Random rnd = new Random(31L * cin + 7L * cout + 1000L * h + w + tile);
        float[] x = random(rnd, cin * h * w);
        float[] wt = random(rnd, cout * cin * 9);
        float[] bias = random(rnd, cout);
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 0, cout, cin, tile);
        float[] ref = new float[cout * h * w];
        Conv3x3Reference.forward(x, 0, cin, h, w, wt, cout, bias, false, ref, 0, cout, 0);
        double[] mag = Conv3x3Reference.magnitude(x, 0, cin, h, w, wt, cout, bias);
        for (Parallel pool : new Parallel[] {one, two}) {
            float[] y = new float[cout * h * w];
            Arrays.fill(y, Float.NaN); // old contents are overwritten, NaN included
            Winograd3x3.forward(pool, x, 0, cin, h, w, u, bias, false, y, 0, cout, 0);
            double err = maxRelativeError(y, ref, mag);
            record(tile, err);
            double tol = tile == 2 ? TOL_F2 : TOL_F4;
            assertTrue(err <= tol, () -> String.format(Locale.ROOT, "relative error %.3g > %.1g (%d threads)",
                    err, tol, pool.threads()));
        }
    }

    /** Output channels in four uneven panels (208 = 4+3+3+3 vectors), bias and ReLU, both tile sizes. */
    @ParameterizedTest(name = "F({0}) cout=208 map={1}x{1}")
    @CsvSource({"2, 7", "4, 7", "2, 21", "4, 21"})
    void unevenPanels(int tile, int hw) {
        int cin = 16, cout = 208;
        Random rnd = new Random(11);
        float[] x = random(rnd, cin * hw * hw);
        float[] wt = random(rnd, cout * cin * 9);
        float[] bias = random(rnd, cout);
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 0, cout, cin, tile);
        float[] ref = new float[cout * hw * hw];
        Conv3x3Reference.forward(x, 0, cin, hw, hw, wt, cout, bias, true, ref, 0, cout, 0);
        float[] y = new float[cout * hw * hw];
        Winograd3x3.forward(two, x, 0, cin, hw, hw, u, bias, true, y, 0, cout, 0);
        double err = maxRelativeError(y, ref, Conv3x3Reference.magnitude(x, 0, cin, hw, hw, wt, cout, bias));
        assertTrue(err <= (tile == 2 ? TOL_F2 : TOL_F4), "relative error " + err);
    }

    /** F(4,3) on a deep layer: the error grows with Cin only through the channel sum, like direct convolution. */
    @ParameterizedTest(name = "F({0}) deep")
    @ValueSource(ints = {2, 4})
    void deepChannelSum(int tile) {
        int cin = 192, cout = 20, h = 9, w = 10;
        Random rnd = new Random(5);
        float[] x = random(rnd, cin * h * w);
        float[] wt = random(rnd, cout * cin * 9);
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 0, cout, cin, tile);
        float[] ref = new float[cout * h * w];
        Conv3x3Reference.forward(x, 0, cin, h, w, wt, cout, null, false, ref, 0, cout, 0);
        float[] y = new float[cout * h * w];
        Winograd3x3.forward(two, x, 0, cin, h, w, u, null, false, y, 0, cout, 0);
        double err = maxRelativeError(y, ref, Conv3x3Reference.magnitude(x, 0, cin, h, w, wt, cout, null));
        record(tile, err);
        assertTrue(err <= (tile == 2 ? TOL_F2 : TOL_F4), "relative error " + err);
    }

    @ParameterizedTest(name = "F({0}) bias/relu/offsets")
    @ValueSource(ints = {2, 4})
    void biasReluAndChannelSlice(int tile) {
        int cin = 5, cout = 19, h = 9, w = 17, total = 40, chOff = 13, n = 3;
        Random rnd = new Random(tile);
        float[] x = random(rnd, n * cin * h * w + 11);
        float[] wt = random(rnd, cout * cin * 9);
        float[] bias = random(rnd, cout);
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 0, cout, cin, tile);
        for (boolean relu : new boolean[] {false, true}) {
            for (float[] b : new float[][] {null, bias}) {
                // one image at a time, input and output at offsets inside bigger arrays
                float sentinel = 1234.5f;
                int outOff = 7 + 2 * total * h * w; // image 2 of a [3, total, h, w] tensor, shifted by 7
                float[] y = new float[7 + n * total * h * w + 5];
                Arrays.fill(y, sentinel);
                int xOff = 11 + cin * h * w;
                Winograd3x3.forward(two, x, xOff, cin, h, w, u, b, relu, y, outOff, total, chOff);
                float[] ref = new float[cout * h * w];
                Conv3x3Reference.forward(x, xOff, cin, h, w, wt, cout, b, relu, ref, 0, cout, 0);
                double[] mag = Conv3x3Reference.magnitude(x, xOff, cin, h, w, wt, cout, b);
                float[] got = Arrays.copyOfRange(y, outOff + chOff * h * w, outOff + (chOff + cout) * h * w);
                assertTrue(maxRelativeError(got, ref, mag) <= (tile == 2 ? TOL_F2 : TOL_F4));
                if (relu) {
                    for (float v : got) {
                        assertTrue(v >= 0f && !Float.isNaN(v));
                    }
                }
                for (int i = 0; i < y.length; i++) { // nothing outside the slice is touched
                    if (i < outOff + chOff * h * w || i >= outOff + (chOff + cout) * h * w) {
                        assertEquals(sentinel, y[i], "index " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "F({0}) batch")
    @ValueSource(ints = {2, 4})
    void batchMatchesSingleImages(int tile) {
        int n = 5, cin = 6, cout = 21, h = 11, w = 6, total = 30, chOff = 4;
        Random rnd = new Random(77 + tile);
        float[] x = random(rnd, n * cin * h * w);
        float[] wt = random(rnd, cout * cin * 9);
        float[] bias = random(rnd, cout);
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 0, cout, cin, tile);
        float[] single = new float[n * total * h * w];
        for (int i = 0; i < n; i++) {
            Winograd3x3.forward(two, x, i * cin * h * w, cin, h, w, u, bias, true, single, i * total * h * w,
                    total, chOff);
        }
        for (Parallel pool : new Parallel[] {one, two}) {
            float[] batch = new float[n * total * h * w];
            Winograd3x3.forwardBatch(pool, x, n, cin, h, w, u, bias, true, batch, total, chOff);
            assertArrayEquals(single, batch);
        }
    }

    /**
     * The last three cases split one image by output channel panels on two threads (F(2×2), and its filters
     * outweigh V).
     */
    @ParameterizedTest(name = "F({0}) deterministic {1}x{1} → {2}")
    @CsvSource({"2, 14, 80", "4, 14, 80", "2, 28, 80", "4, 28, 80", "4, 60, 80", "2, 14, 320", "2, 7, 208",
            "2, 9, 130"})
    void bitwiseDeterministicAcrossRunsAndThreads(int tile, int h, int cout) {
        int cin = 96, w = h;
        Random rnd = new Random(3);
        float[] x = random(rnd, cin * h * w);
        float[] wt = random(rnd, cout * cin * 9);
        float[] bias = random(rnd, cout);
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 0, cout, cin, tile);
        float[] first = new float[cout * h * w];
        Winograd3x3.forward(one, x, 0, cin, h, w, u, bias, false, first, 0, cout, 0);
        for (int rep = 0; rep < 20; rep++) { // later runs are JIT-compiled: results must not change
            for (Parallel pool : new Parallel[] {one, two}) {
                float[] y = new float[cout * h * w];
                Winograd3x3.forward(pool, x, 0, cin, h, w, u, bias, false, y, 0, cout, 0);
                assertArrayEquals(first, y, "rep " + rep + ", " + pool.threads() + " threads");
            }
        }
    }

    /**
     * One image shared by threads that claim its parts ({@link Winograd3x3#shared}): bitwise what one thread's
     * {@code forward} gives, into a channel slice of a wider output, whether both threads start at once, one joins
     * after the other has taken everything, or one runs it alone; nothing outside the slice is written.
     */
    @ParameterizedTest(name = "F({0}) shared {1}x{2} {3} → {4}")
    @CsvSource({"2, 14, 14, 112, 224", "2, 7, 7, 160, 320", "4, 28, 28, 96, 128", "2, 13, 11, 24, 70",
            "4, 9, 30, 17, 33"})
    void sharedPartsGiveBitwiseTheWholeConvolution(int tile, int h, int w, int cin, int cout) {
        Random rnd = new Random(h * 13 + cout);
        float[] x = random(rnd, cin * h * w), wt = random(rnd, cout * cin * 9), bias = random(rnd, cout);
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 0, cout, cin, tile);
        int total = cout + 5, offset = 3, plane = h * w;
        float[] want = new float[total * plane];
        Arrays.fill(want, 42f);
        Winograd3x3.forward(one, x, 0, cin, h, w, u, bias, true, want, 0, total, offset);
        for (int mode = 0; mode < 3; mode++) {
            float[] got = new float[total * plane];
            Arrays.fill(got, 42f);
            Runnable parts = Winograd3x3.shared(x, 0, cin, h, w, u, bias, true, got, 0, total, offset);
            int late = mode;
            if (mode == 2) {
                parts.run();
            } else {
                java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
                two.parallelFor(2, t -> {
                    if (late == 1 && t == 1) { // join after the other thread has claimed every part
                        awaitQuietly(done);
                    }
                    parts.run();
                    if (t == 0) {
                        done.countDown();
                    }
                });
            }
            assertArrayEquals(want, got, "mode " + mode);
        }
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            assertTrue(latch.await(60, java.util.concurrent.TimeUnit.SECONDS), "the other thread never finished");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Tile groups and the split into two phases only change how the work is cut into tasks: every output is the
     * same sequence of operations, so the results agree bit for bit.
     */
    @ParameterizedTest(name = "F({0}) tuning {1}x{2}")
    @CsvSource({"2, 7, 9", "4, 7, 9", "2, 21, 13", "4, 30, 29"})
    void tileGroupsAndPhaseSplitDoNotChangeResults(int tile, int h, int w) {
        // one image: the threads share it (bands, or a V per thread); three: an image per thread
        for (int n : new int[] {1, 3}) {
            tileGroupsAndPhaseSplit(tile, h, w, n);
        }
    }

    private void tileGroupsAndPhaseSplit(int tile, int h, int w, int n) {
        int cin = 20, cout = 37;
        Random rnd = new Random(h * 100L + w + tile);
        float[] x = random(rnd, n * cin * h * w);
        float[] wt = random(rnd, cout * cin * 9);
        float[] bias = random(rnd, cout);
        Winograd3x3.Weights u = VectorWinograd3x3.transformWeights(two, wt, 0, cout, cin, tile, false, null);
        float[] base = new float[n * cout * h * w];
        VectorWinograd3x3.forwardBatch(two, x, n, cin, h, w, u, bias, true, base, cout, 0);
        int[][] tunings = {{6, 0}, {6, Integer.MAX_VALUE}, {12, 0}, {VectorWinograd3x3.GROUP, 1}, {120, 0}};
        for (int[] t : tunings) {
            for (Parallel pool : new Parallel[] {one, two}) {
                float[] y = new float[base.length];
                VectorWinograd3x3.forwardBatch(pool, x, n, cin, h, w, u, bias, true, y, cout, 0, t[0], t[1]);
                assertArrayEquals(base, y, n + " image(s), group " + t[0] + ", fused from " + t[1] + " tiles, "
                        + pool.threads() + " thread(s)");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> VectorWinograd3x3.forwardBatch(two, x, n, cin, h, w, u,
                bias, true, new float[base.length], cout, 0, 9, 0));
    }

    /**
     * The scalar kernels keep the filters as they are and convolve directly: {@code flipped} gives the filters of
     * the input gradient's convolution, the same as the vector kernels' flipped transform computes with.
     */
    @ParameterizedTest(name = "F({0}) plain filters cout={1} cin={2} map={3}x{4}")
    @CsvSource({"2, 5, 3, 7, 9", "4, 17, 33, 6, 5", "4, 1, 1, 1, 1", "2, 70, 9, 13, 11"})
    void plainFiltersGiveTheSameConvolutionsAsTheTransformedOnes(int tile, int cout, int cin, int h, int w) {
        Random rnd = new Random(cout * 31L + cin + tile);
        float[] wt = random(rnd, cout * cin * 9 + 4);
        for (boolean flipped : new boolean[] {false, true}) {
            int in = flipped ? cout : cin, out = flipped ? cin : cout;
            Winograd3x3.Weights plain = Winograd3x3.plainWeights(wt, 4, cout, cin, tile, flipped, null);
            assertEquals(in, plain.inChannels());
            assertEquals(out, plain.outChannels());
            assertEquals((long) in * out * 9, plain.size());
            Winograd3x3.Weights u = VectorWinograd3x3.transformWeights(one, wt, 4, cout, cin, tile, flipped, null);
            float[] x = random(rnd, in * h * w);
            float[] direct = new float[out * h * w], winograd = new float[out * h * w];
            Conv3x3Reference.forward(x, 0, in, h, w, plain.u, out, null, false, direct, 0, out, 0);
            VectorWinograd3x3.forward(one, x, 0, h, w, u, null, false, winograd, 0, 0);
            double[] mag = Conv3x3Reference.magnitude(x, 0, in, h, w, plain.u, out, null);
            double err = maxRelativeError(winograd, direct, mag);
            assertTrue(err <= (tile == 2 ? TOL_F2 : TOL_F4), "flipped " + flipped + ": relative error " + err);
            // a reused bank of the same shape is rewritten in place, one of another kind is not reused
            Arrays.fill(plain.u, Float.NaN);
            assertTrue(plain == Winograd3x3.plainWeights(wt, 4, cout, cin, tile, flipped, plain));
            float[] again = new float[out * h * w];
            Conv3x3Reference.forward(x, 0, in, h, w, plain.u, out, null, false, again, 0, out, 0);
            assertArrayEquals(direct, again);
            assertTrue(u != Winograd3x3.plainWeights(wt, 4, cout, cin, tile, flipped, u));
        }
        // the vector engine refuses the scalar kernels' filters rather than misreading them
        Winograd3x3.Weights plain = Winograd3x3.plainWeights(wt, 4, cout, cin, tile, false, null);
        assertThrows(IllegalArgumentException.class, () -> Winograd3x3.forward(one, new float[cin * h * w], 0, cin,
                h, w, plain, null, false, new float[cout * h * w], 0, cout, 0));
    }

    @Test
    void transposeIsATranspose() {
        if (VectorWinograd3x3.VL != 16) {
            return;
        }
        float[] src = new float[256 + 3];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        float[] dst = new float[5 + 15 * 20 + 16];
        VectorWinograd3x3.transpose16(src, 3, 16, dst, 5, 20);
        for (int r = 0; r < 16; r++) {
            for (int c = 0; c < 16; c++) {
                assertEquals(src[3 + r * 16 + c], dst[5 + c * 20 + r]);
            }
        }
    }

    @Test
    void suggestedTile() {
        assertEquals(4, Winograd3x3.suggestedTile(1, 64, 192, 56, 56));
        assertEquals(4, Winograd3x3.suggestedTile(1, 96, 128, 28, 28));
        assertEquals(2, Winograd3x3.suggestedTile(1, 160, 320, 14, 14)); // one image: U's read dominates
        assertEquals(4, Winograd3x3.suggestedTile(2, 160, 320, 14, 14));
        assertEquals(4, Winograd3x3.suggestedTile(1, 16, 32, 28, 28));
        assertEquals(2, Winograd3x3.suggestedTile(1, 32, 128, 14, 14));
        assertEquals(2, Winograd3x3.suggestedTile(1, 192, 384, 7, 7));
        assertEquals(2, Winograd3x3.suggestedTile(1, 8, 8, 2, 2));
        assertEquals(0, Winograd3x3.suggestedTile(1, 8, 8, 1, 1)); // one output per 2×2 tile: direct is cheaper
        assertEquals(0, Winograd3x3.suggestedTile(1, 8, 8, 1, 3)); // 2 tiles × 16 > 3 × 9
    }

    @Test
    void rejectsBadArguments() {
        float[] wt = new float[2 * 3 * 9];
        assertThrows(IllegalArgumentException.class, () -> Winograd3x3.transformWeights(wt, 0, 2, 3, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Winograd3x3.transformWeights(wt, 1, 2, 3, 4));
        Winograd3x3.Weights u = Winograd3x3.transformWeights(wt, 2, 3);
        assertEquals(4, u.tile());
        float[] x = new float[3 * 4 * 4];
        float[] y = new float[2 * 4 * 4];
        assertThrows(IllegalArgumentException.class,
                () -> Winograd3x3.forward(one, x, 0, 2, 4, 4, u, null, false, y, 0, 2, 0)); // wrong cin
        assertThrows(IllegalArgumentException.class,
                () -> Winograd3x3.forward(one, x, 0, 3, 4, 4, u, null, false, y, 0, 2, 1)); // slice past the end
        assertThrows(IllegalArgumentException.class,
                () -> Winograd3x3.forward(one, x, 1, 3, 4, 4, u, null, false, y, 0, 2, 0)); // input too short
        assertThrows(IllegalArgumentException.class,
                () -> Winograd3x3.forward(one, x, 0, 3, 4, 4, u, new float[1], false, y, 0, 2, 0)); // bias
    }

    // ------------------------------------------------------------------ helpers

    static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2f - 1f;
        }
        return a;
    }

    /** max over outputs of |y − ref| / Σ|w||x| (outputs with a zero receptive field must be exact). */
    static double maxRelativeError(float[] y, float[] ref, double[] mag) {
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs((double) y[i] - ref[i]);
            double e = mag[i] > 0 ? d / mag[i] : (d == 0 ? 0 : Double.POSITIVE_INFINITY);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            worst = Math.max(worst, e);
        }
        return worst;
    }

    private static void record(int tile, double err) {
        WORST.merge(tile, new double[] {err, err, 1}, (a, b) -> new double[] {Math.max(a[0], b[0]), a[1] + b[1],
                a[2] + b[2]});
    }

    /**
     * The vectorized filter transform (float, staged, split over threads) against the double definition, for the
     * convolution and for its input gradient's flipped filters; a reused {@code Weights} is rewritten in place.
     */
    @ParameterizedTest(name = "F({0}) cout={1} cin={2}")
    @CsvSource({"2, 1, 1", "4, 1, 1", "2, 5, 3", "4, 17, 33", "4, 80, 7", "2, 130, 19", "4, 64, 64", "4, 3, 150"})
    void filterTransformMatchesTheDefinition(int tile, int cout, int cin) {
        Random rnd = new Random(cout * 31L + cin + tile);
        float[] w = new float[cout * cin * 9 + 5];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextFloat() * 2 - 1;
        }
        // W'[ci][co] = W[co][ci] turned by 180°, laid out as a (cin ← cout) bank
        float[] flipped = new float[cout * cin * 9];
        for (int co = 0; co < cout; co++) {
            for (int ci = 0; ci < cin; ci++) {
                for (int k = 0; k < 9; k++) {
                    flipped[(ci * cout + co) * 9 + k] = w[5 + (co * cin + ci) * 9 + 8 - k];
                }
            }
        }
        float[] expected = VectorWinogradTransforms.filtersReference(w, 5, cout, cin, tile, roundUp(cout, VL));
        float[] expectedFlipped = VectorWinogradTransforms.filtersReference(flipped, 0, cin, cout, tile,
                roundUp(cin, VL));
        for (Parallel pool : new Parallel[] {one, two}) {
            Winograd3x3.Weights u = Winograd3x3.transformWeights(pool, w, 5, cout, cin, tile, false, null);
            assertClose(expected, u.u);
            Winograd3x3.Weights uf = Winograd3x3.transformWeights(pool, w, 5, cout, cin, tile, true, null);
            assertEquals(cout, uf.inChannels());
            assertEquals(cin, uf.outChannels());
            assertClose(expectedFlipped, uf.u);
            Arrays.fill(uf.u, Float.NaN); // everything, padding included, must be rewritten
            assertTrue(uf == Winograd3x3.transformWeights(pool, w, 5, cout, cin, tile, true, uf), "reused");
            assertClose(expectedFlipped, uf.u);
        }
    }

    /** Float transform of values ≤ 1 with coefficients ≤ 1: a few roundings of values ≤ ~2. */
    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= 1e-6f)) {
                throw new AssertionError("U element " + i + ": expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    private static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    private static final int VL = VectorWinograd3x3.VL;
}
