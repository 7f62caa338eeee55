package dev.googlenet.kernels;

import dev.googlenet.testing.ThreadPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inference convolution (im2col + GEMM, strided, pooled) against the direct definition, on odd shapes. */
class ConvolutionTest {
    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();

    private static float[] random(Random rnd, int size) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = rnd.nextFloat() - 0.5f;
        }
        return a;
    }

    /** act(conv(x) + b) by its definition, in double: [n, cout, oh, ow]. */
    private static double[] direct(Convolution c, float[] x, int n, int h, int w, float[] wt, int wOff, int cout,
                                   float[] b, int bOff, boolean relu) {
        int oh = c.outH(h), ow = c.outW(w), cin = c.inChannels(), kh = c.kernelH(), kw = c.kernelW();
        double[] y = new double[n * cout * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int co = 0; co < cout; co++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = b == null ? 0 : b[bOff + co];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int u = 0; u < kh; u++) {
                                for (int v = 0; v < kw; v++) {
                                    int yy = i * c.stride() - c.padding() + u, xx = j * c.stride() - c.padding() + v;
                                    if (yy >= 0 && yy < h && xx >= 0 && xx < w) {
                                        s += (double) x[((img * cin + ci) * h + yy) * w + xx]
                                                * wt[wOff + ((co * cin + ci) * kh + u) * kw + v];
                                    }
                                }
                            }
                        }
                        y[((img * cout + co) * oh + i) * ow + j] = relu ? Math.max(0, s) : s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Stacked filters of three convolutions, each landing in its own slice (one at an offset of a wider array,
     * surrounded by untouched values), on maps with one image per GEMM and maps that group images; strided and
     * 1×1 geometries; one and two threads.
     */
    @Test
    void stackedConvolutionsWriteEachSliceAsTheDefinitionSays() {
        Random rnd = new Random(9);
        int[][] geometries = {{1, 1, 0}, {3, 1, 1}, {5, 1, 2}, {3, 2, 1}, {7, 2, 3}};
        for (int[] map : new int[][] {{20, 20}, {5, 7}, {1, 1}}) {
            for (int[] g : geometries) {
                int k = g[0], stride = g[1], pad = g[2];
                if (map[0] + 2 * pad < k) {
                    continue;
                }
                for (Parallel pool : new Parallel[] {POOLS.one(), POOLS.two()}) {
                    int cin = 6, n = 11;
                    Convolution c = new Convolution(cin, 10, k, k, stride, pad);
                    int[] widths = {3, 5, 2};
                    // the strided path writes one slice at a time
                    List<int[]> groups = stride > 1 ? List.of(new int[] {0}, new int[] {1}, new int[] {2})
                            : List.of(new int[] {0, 1, 2});
                    float[] wt = random(rnd, 10 * cin * k * k), b = random(rnd, 10);
                    float[] x = random(rnd, n * cin * map[0] * map[1]);
                    int oh = c.outH(map[0]), ow = c.outW(map[1]), ohw = oh * ow;
                    for (int[] group : groups) {
                        float[][] outs = {new float[n * 7 * ohw], new float[n * 5 * ohw], new float[n * 2 * ohw]};
                        for (float[] o : outs) {
                            Arrays.fill(o, 42f);
                        }
                        int[] totals = {7, 5, 2}, offsets = {4, 0, 0}, rowOf = {0, 3, 8};
                        int rows = 0;
                        java.util.ArrayList<Convolution.Slice> slices = new java.util.ArrayList<>();
                        for (int j : group) {
                            slices.add(new Convolution.Slice(outs[j], totals[j], offsets[j], widths[j]));
                            rows += widths[j];
                        }
                        int row0 = rowOf[group[0]];
                        float[] gw = Arrays.copyOfRange(wt, row0 * cin * k * k, (row0 + rows) * cin * k * k);
                        float[] gb = Arrays.copyOfRange(b, row0, row0 + rows);
                        Convolution stacked = new Convolution(cin, rows, k, k, stride, pad);
                        stacked.forward(pool, new VectorGemm(pool), x, n, map[0], map[1], gw, gb, true, slices);
                        for (int j : group) {
                            double[] want = direct(c, x, n, map[0], map[1], wt, rowOf[j] * cin * k * k, widths[j], b,
                                    rowOf[j], true);
                            for (int img = 0; img < n; img++) {
                                for (int ch = 0; ch < totals[j]; ch++) {
                                    for (int i = 0; i < ohw; i++) {
                                        int cc = ch - offsets[j];
                                        double expect = cc < 0 || cc >= widths[j] ? 42f
                                                : want[(img * widths[j] + cc) * ohw + i];
                                        float got = outs[j][(img * totals[j] + ch) * ohw + i];
                                        assertEquals(expect, got, 1e-5 * Math.max(1, Math.abs(expect)), "slice " + j
                                                + " kernel " + k + "/" + stride + " map " + map[0] + "×" + map[1]);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The 1×1 convolution of a max pool's output, each image group pooled just before its GEMM: bit for bit what
     * pooling the batch and then convolving gives, into a slice of a wider output, on maps that group several
     * images per GEMM and maps that take one each, with two threads; NaNs included. With fewer groups than threads
     * it declines, writing nothing.
     */
    @Test
    void pooledPointwiseMatchesPoolThenConvolution() {
        Random rnd = new Random(12);
        int[][] cases = {{11, 5, 7}, {3, 20, 20}, {2, 3, 3}, {9, 14, 14}};
        Parallel pool = POOLS.two();
        Gemm gemm = new VectorGemm(pool);
        for (int[] c : cases) {
            int n = c[0], h = c[1], w = c[2], cin = 13, cout = 6;
            for (int[] p : new int[][] {{3, 1, 1}, {3, 2, 0}}) {
                for (boolean bias : new boolean[] {false, true}) {
                    Convolution conv = new Convolution(cin, cout, 1, 1, 1, 0);
                    float[] x = random(rnd, n * cin * h * w), wt = random(rnd, cout * cin);
                    float[] b = bias ? random(rnd, cout) : null;
                    x[x.length / 3] = Float.NaN;
                    int ph = dev.googlenet.tensor.Shape.pooledSize(h, p[0], p[1], p[2], true);
                    int pw = dev.googlenet.tensor.Shape.pooledSize(w, p[0], p[1], p[2], true);
                    float[] pooled = new float[n * cin * ph * pw];
                    Pooling.maxPool(pool, x, n * cin, h, w, p[0], p[1], p[2], ph, pw, pooled, null);
                    float[] want = new float[n * 9 * ph * pw], got = new float[n * 9 * ph * pw];
                    Arrays.fill(want, 42f);
                    Arrays.fill(got, 42f);
                    conv.forward(pool, gemm, pooled, n, ph, pw, wt, b, true,
                            List.of(new Convolution.Slice(want, 9, 2, cout)));
                    boolean ran = conv.forwardPooled(pool, gemm, x, n, h, w, new Convolution.MaxPool(p[0], p[1], p[2],
                            ph, pw), wt, b, true, new Convolution.Slice(got, 9, 2, cout));
                    boolean expectRun = Math.ceilDiv(n, Convolution.imagesPerGemm(n, ph * pw)) >= pool.threads();
                    assertEquals(expectRun, ran, n + "×" + h + "×" + w);
                    if (ran) {
                        assertArrayEquals(want, got, 0f, n + "×" + h + "×" + w + " pool " + Arrays.toString(p)
                                + " bias " + bias);
                    } else {
                        float[] untouched = new float[got.length];
                        Arrays.fill(untouched, 42f);
                        assertArrayEquals(untouched, got, 0f);
                    }
                }
            }
        }
        Convolution wide = new Convolution(13, 6, 3, 3, 1, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> wide.forwardPooled(pool, gemm,
                new float[2 * 13 * 25], 2, 5, 5, new Convolution.MaxPool(3, 1, 1, 5, 5), new float[6 * 13 * 9], null,
                true, new Convolution.Slice(new float[2 * 6 * 25], 6, 0, 6)));
        assertTrue(e.getMessage().contains("1×1/1"), e.getMessage());
    }

    /**
     * Packed filters (an inference plan's) give bit for bit what their rows give: a 1×1 on a map that takes one
     * GEMM per image and on one that groups images, the pooled 1×1, the stem's strided path (images in parallel
     * and one image's rows split), a 3×3 by im2col; 2 threads. Filters of another shape are refused.
     */
    @Test
    void packedFiltersGiveTheSameOutputBitForBit() {
        Random rnd = new Random(21);
        Parallel pool = POOLS.two();
        Gemm gemm = new VectorGemm(pool);
        // cin, cout, kernel, stride, padding, n, h, w
        int[][] cases = {{13, 11, 1, 1, 0, 3, 20, 20}, {13, 11, 1, 1, 0, 5, 7, 7}, {3, 10, 7, 2, 3, 1, 29, 31},
                {3, 10, 7, 2, 3, 3, 17, 18}, {5, 7, 3, 1, 1, 2, 9, 9}};
        int pooledRuns = 0;
        for (int[] c : cases) {
            Convolution conv = new Convolution(c[0], c[1], c[2], c[2], c[3], c[4]);
            int n = c[5], h = c[6], w = c[7], oh = conv.outH(h), ow = conv.outW(w);
            float[] x = random(rnd, n * c[0] * h * w), wt = random(rnd, c[1] * conv.filterSize()),
                    b = random(rnd, c[1]);
            float[] want = new float[n * c[1] * oh * ow], got = new float[want.length];
            conv.forward(pool, gemm, x, n, h, w, wt, b, true, List.of(new Convolution.Slice(want, c[1], 0, c[1])));
            conv.forward(pool, gemm, x, n, h, w, PackedFilters.of(wt, c[1], conv.filterSize()), b, true,
                    List.of(new Convolution.Slice(got, c[1], 0, c[1])));
            assertArrayEquals(want, got, 0f, Arrays.toString(c));
            if (conv.isPointwise()) {
                Convolution.MaxPool mp = new Convolution.MaxPool(3, 1, 1, h, w);
                Arrays.fill(want, 0f);
                Arrays.fill(got, 0f);
                boolean ran = conv.forwardPooled(pool, gemm, x, n, h, w, mp, wt, b, true,
                        new Convolution.Slice(want, c[1], 0, c[1]));
                assertEquals(ran, conv.forwardPooled(pool, gemm, x, n, h, w, mp, PackedFilters.of(wt, c[1], c[0]), b,
                        true, new Convolution.Slice(got, c[1], 0, c[1])));
                assertArrayEquals(want, got, 0f, "pooled " + Arrays.toString(c));
                pooledRuns += ran ? 1 : 0;
            }
        }
        assertEquals(1, pooledRuns, "the 20×20 case pools image by image; the 7×7 one, one group, declines");
        Convolution conv = new Convolution(4, 6, 1, 1, 1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(pool, gemm,
                new float[4 * 9], 1, 3, 3, PackedFilters.of(new float[5 * 4], 5, 4), null, true,
                List.of(new Convolution.Slice(new float[6 * 9], 6, 0, 6))));
        assertTrue(e.getMessage().contains("packed filters [5, 4]"), e.getMessage());
    }

    @Test
    void badSlicesAndWeightsAreRefusedWithTheirSizes() {
        Convolution c = new Convolution(2, 3, 1, 1, 1, 0);
        Parallel pool = POOLS.one();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.forward(pool,
                new ScalarGemm(), new float[2 * 4], 1, 2, 2, new float[6], null, false,
                List.of(new Convolution.Slice(new float[3 * 4], 3, 1, 3))));
        assertTrue(e.getMessage().contains("3 channels at channel 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.forward(pool, new ScalarGemm(), new float[2 * 4], 1,
                2, 2, new float[5], null, false, List.of(new Convolution.Slice(new float[3 * 4], 3, 0, 3))));
        assertTrue(e.getMessage().contains("need 6 weights"), e.getMessage());
        assertFalse(new Convolution(3, 3, 3, 3, 2, 1).isPointwise());
    }

    @Test
    void oneRulePicksWinograd() {
        assertTrue(ConvAlgorithm.winogradTile(3, 3, 1, 1, 1, 24, 16, 28, 28, false) > 0, "24 → 16: Winograd");
        assertTrue(ConvAlgorithm.winogradTile(3, 3, 1, 1, 1, 16, 32, 28, 28, false) > 0, "16 → 32: Winograd");
        assertEquals(0, ConvAlgorithm.winogradTile(3, 3, 1, 1, 1, 12, 36, 14, 14, false), "12 input channels: GEMM");
        assertEquals(0, ConvAlgorithm.winogradTile(3, 3, 1, 1, 1, 24, 8, 28, 28, false), "8 output channels: GEMM");
        assertTrue(ConvAlgorithm.winogradTile(3, 3, 1, 1, 1, 24, 16, 4, 4, false) > 0, "forward on 4×4: Winograd");
        assertEquals(0, ConvAlgorithm.winogradTile(3, 3, 1, 1, 1, 24, 16, 4, 4, true), "input gradient on 4×4: GEMM");
        assertEquals(0, ConvAlgorithm.winogradTile(3, 3, 2, 1, 1, 24, 24, 28, 28, false), "stride 2: GEMM");
        assertEquals(0, ConvAlgorithm.winogradTile(5, 5, 1, 2, 1, 24, 24, 28, 28, false), "5×5: GEMM");
    }

    @Test
    void epilogueMatchesReference() {
        Random rnd = new Random(2);
        for (int len : new int[] {1, 7, 16, 49, 196, 785}) {
            float[] y = random(rnd, 3 * len + 5);
            float[] bias = {0.1f, -0.2f, 0.3f, 9f};
            for (boolean relu : new boolean[] {true, false}) {
                float[] a = y.clone(), b = y.clone();
                Epilogue.biasRelu(a, 5, 3, len, bias, 1, relu);
                Epilogue.biasReluReference(b, 5, 3, len, bias, 1, relu);
                assertArrayEquals(b, a, 0f);
            }
        }
    }
}
