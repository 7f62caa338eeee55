package dev.googlenet.nn;

import dev.googlenet.testing.ThreadPools;
import dev.googlenet.kernels.Parallel;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Conv2d's batched (several images per GEMM) and per-image paths against the plain definitions of forward, dX,
 * dW and db, on odd shapes, with a one-thread and a two-thread pool.
 */
class Conv2dBatchedTest {
    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();
    private static final Parallel one = POOLS.one();
    private static final Parallel two = POOLS.two();

    /** kernel, stride, padding. */
    private static final int[][] KERNELS = {{1, 1, 0}, {3, 1, 1}, {5, 1, 2}, {7, 2, 3}, {1, 2, 0}};
    /** h, w; 24×26 gets one GEMM per image (576 output pixels ≥ the batching threshold of 256) for the 1×1/1 and same convs. */
    private static final int[][] MAPS = {{1, 1}, {2, 2}, {3, 5}, {4, 4}, {7, 7}, {14, 14}, {24, 26}};
    private static final int[] BATCHES = {1, 2, 3, 7, 9};
    private static final int[][] CHANNELS = {{3, 5}, {17, 3}, {5, 17}, {1, 4}};

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        int index = 0;
        for (int[] k : KERNELS) {
            for (int[] map : MAPS) {
                for (boolean bias : new boolean[] {false, true}) {
                    // batch and channels rotate through their values so that every combination of kernel, map and
                    // bias meets several of them without a full cross product
                    for (int rep = 0; rep < 2; rep++, index++) {
                        int n = BATCHES[index % BATCHES.length];
                        int[] ch = CHANNELS[index % CHANNELS.length];
                        cases.add(Arguments.of(n, ch[0], ch[1], map[0], map[1], k[0], k[1], k[2], bias));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "n={0} cin={1} cout={2} map={3}x{4} k={5}/{6} pad {7} bias={8}")
    @MethodSource("shapes")
    void matchesDirectConvolution(int n, int cin, int cout, int h, int w, int k, int s, int p, boolean bias) {
        Random rnd = new Random(31L * n + 7L * cin + cout + 1000L * h + w + 100_000L * k + s + p);
        Conv2d single = Conv2dTest.randomConv(rnd, cin, cout, k, k, s, p, bias).usePool(one);
        Conv2d dual = copyOf(single).usePool(two);
        Tensor x = GradCheck.random(rnd, n, cin, h, w);
        Tensor dy = GradCheck.random(rnd, single.outputShape(x.shape()));

        float[] expectedY = Conv2dTest.directConv(x, single);
        double[][] expectedGrads = directBackward(x, dy, single);

        Result r1 = run(single, x, dy);
        Result r2 = run(dual, x, dy);
        assertClose(expectedY, r1.y, "forward");
        assertClose(expectedGrads[0], r1.dx, "dX");
        assertClose(expectedGrads[1], r1.dw, "dW");
        assertClose(expectedGrads[1], r2.dw, "dW, two threads");
        if (bias) {
            assertClose(expectedGrads[2], r1.db, "db");
            assertArrayEquals(r1.db, r2.db, "db: the same sums in the same order");
        }
        // forward and the input gradient do not depend on the thread count at all
        assertArrayEquals(r1.y, r2.y, "forward, one vs two threads");
        assertArrayEquals(r1.dx, r2.dx, "dX, one vs two threads");
    }

    @Test
    void weightGradientIsDeterministicForAThreadCount() {
        Random rnd = new Random(5);
        Conv2d conv = Conv2dTest.randomConv(rnd, 17, 5, 3, 3, 1, 1, false).usePool(two);
        Tensor x = GradCheck.random(rnd, 9, 17, 7, 7);
        Tensor dy = GradCheck.random(rnd, conv.outputShape(x.shape()));
        Result a = run(conv, x, dy);
        Result b = run(conv, x, dy);
        assertArrayEquals(a.dw, b.dw);
        assertArrayEquals(a.dx, b.dx);
    }

    @Test
    void reusedBuffersHoldTheLatestResults() {
        Random rnd = new Random(9);
        // 7×7/2 takes the general col2im, which accumulates: its reused gradient must be cleared first
        for (int[] k : new int[][] {{7, 2, 3}, {3, 1, 1}, {1, 1, 0}}) {
            Conv2d conv = Conv2dTest.randomConv(rnd, 5, 3, k[0], k[0], k[1], k[2], true).usePool(two);
            Tensor x1 = GradCheck.random(rnd, 3, 5, 9, 9);
            Tensor x2 = GradCheck.random(rnd, 3, 5, 9, 9);
            Tensor dy = GradCheck.random(rnd, conv.outputShape(x1.shape()));
            Tensor y1 = conv.forward(x1, true);
            Tensor dx1 = conv.backward(dy).copy();
            Tensor y2 = conv.forward(x2, true);
            assertSame(y1, y2, "the output buffer is reused");
            assertArrayEquals(Conv2dTest.directConv(x2, conv), y2.data(), 1e-4f);
            Tensor dx2 = conv.backward(dy).copy();
            assertClose(directBackward(x2, dy, conv)[0], dx2.data(), "dX after reuse");
            // a different batch size: a fresh (or reshaped) buffer, still right
            Tensor x3 = GradCheck.random(rnd, 2, 5, 9, 9);
            Tensor y3 = conv.forward(x3, true);
            assertArrayEquals(Conv2dTest.directConv(x3, conv), y3.data(), 1e-4f);
            Tensor dy3 = GradCheck.random(rnd, conv.outputShape(x3.shape()));
            assertClose(directBackward(x3, dy3, conv)[0], conv.backward(dy3).copy().data(), "dX, new batch size");
            assertEquals(dx1.size(), x1.size());
        }
    }

    @Test
    void forwardIntoWritesOnlyItsChannelSlice() {
        Random rnd = new Random(11);
        Conv2d conv = Conv2dTest.randomConv(rnd, 5, 3, 3, 3, 1, 1, true).usePool(two);
        Tensor x = GradCheck.random(rnd, 7, 5, 4, 4); // batched: 7 images in one GEMM
        Tensor out = Tensor.zeros(7, 8, 4, 4);
        out.fill(42f);
        conv.forwardInto(x, conv.weight().value().data(), conv.bias().value().data(), true, out, 2);
        float[] expected = Conv2dTest.directConv(x, conv);
        for (int img = 0; img < 7; img++) {
            for (int c = 0; c < 8; c++) {
                for (int q = 0; q < 16; q++) {
                    float got = out.data()[(img * 8 + c) * 16 + q];
                    if (c < 2 || c >= 5) {
                        assertEquals(42f, got, "outside the slice");
                    } else {
                        assertEquals(Math.max(0f, expected[(img * 3 + c - 2) * 16 + q]), got, 1e-5f);
                    }
                }
            }
        }
    }

    @Test
    void weightGradientAccumulates() {
        Random rnd = new Random(13);
        Conv2d conv = Conv2dTest.randomConv(rnd, 3, 5, 3, 3, 1, 1, false).usePool(two);
        Tensor x = GradCheck.random(rnd, 9, 3, 4, 4);
        Tensor dy = GradCheck.random(rnd, conv.outputShape(x.shape()));
        conv.forward(x, true);
        conv.weight().zeroGrad();
        conv.backward(dy);
        conv.backward(dy);
        double[] once = directBackward(x, dy, conv)[1];
        double[] twice = new double[once.length];
        for (int i = 0; i < once.length; i++) {
            twice[i] = 2 * once[i];
        }
        assertClose(twice, conv.weight().grad().data(), "dW after two backward calls");
    }

    private record Result(float[] y, float[] dx, float[] dw, float[] db) {
    }

    private static Result run(Conv2d conv, Tensor x, Tensor dy) {
        conv.weight().zeroGrad();
        if (conv.bias() != null) {
            conv.bias().zeroGrad();
        }
        float[] y = conv.forward(x, true).data().clone();
        float[] dx = conv.backward(dy).copy().data();
        return new Result(y, dx, conv.weight().grad().data().clone(),
                conv.bias() == null ? null : conv.bias().grad().data().clone());
    }

    private static Conv2d copyOf(Conv2d c) {
        Conv2d d = new Conv2d(c.inChannels(), c.outChannels(), c.kernelH(), c.kernelW(), c.stride(), c.padding(),
                c.bias() != null);
        System.arraycopy(c.weight().value().data(), 0, d.weight().value().data(), 0, c.weight().value().size());
        if (c.bias() != null) {
            System.arraycopy(c.bias().value().data(), 0, d.bias().value().data(), 0, c.outChannels());
        }
        return d;
    }

    /** dX, dW, db of {@code L = sum(conv(x) · dy)} from the definition, in double: the 7-loop nest, transposed. */
    static double[][] directBackward(Tensor x, Tensor dy, Conv2d conv) {
        int n = x.dim(0), cin = conv.inChannels(), h = x.dim(2), w = x.dim(3);
        int cout = conv.outChannels(), oh = dy.dim(2), ow = dy.dim(3), kh = conv.kernelH(), kw = conv.kernelW();
        int s = conv.stride(), p = conv.padding();
        float[] wt = conv.weight().value().data();
        double[] dx = new double[x.size()];
        double[] dw = new double[wt.length];
        double[] db = new double[cout];
        for (int img = 0; img < n; img++) {
            for (int co = 0; co < cout; co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double g = dy.get(img, co, oy, ox);
                        db[co] += g;
                        for (int ci = 0; ci < cin; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * s - p + i, ix = ox * s - p + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        int wi = ((co * cin + ci) * kh + i) * kw + j;
                                        dw[wi] += g * x.get(img, ci, iy, ix);
                                        dx[((img * cin + ci) * h + iy) * w + ix] += g * wt[wi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw, db};
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertClose(expected, actual, 1e-4, what);
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(e, actual, tol, what);
    }

    /** Float sums of up to a few thousand terms of magnitude ~1: 1e-4 relative to max(1, |expected|). */
    private static void assertClose(double[] expected, float[] actual, String what) {
        assertClose(expected, actual, 1e-4, what);
    }

    /** |expected − actual| ≤ tol·max(1, |expected|) for every element. */
    static void assertClose(double[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]) / Math.max(1.0, Math.abs(expected[i]));
            if (!(err <= tol)) {
                fail(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
        assertTrue(expected.length > 0, what + ": empty");
    }
}
