package dev.googlenet.nn;

import dev.googlenet.kernels.Parallel;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import dev.googlenet.testing.ThreadPools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conv2d's Winograd path (3×3/1 "same": forward, and the input gradient as a convolution with flipped filters)
 * against the plain definitions, on odd shapes and with one and two threads; and the rule that picks it.
 */
class Conv2dWinogradTest {
    @RegisterExtension
    static final ThreadPools POOLS = new ThreadPools();
    private static final Parallel one = POOLS.one();
    private static final Parallel two = POOLS.two();

    @ParameterizedTest(name = "n={0} cin={1} cout={2} map={3}x{4} bias={5}")
    @CsvSource({
            "1, 3, 5, 7, 7, true",
            "3, 17, 4, 13, 11, false",   // edge tiles on both sides
            "2, 5, 33, 28, 28, true",     // F(4×4) forward (28×28), 33 output channels: three vector widths
            "5, 24, 72, 4, 4, false",     // one tile per image
            "2, 70, 9, 14, 14, true",     // 70 input channels: uneven panels in the input gradient's GEMM
            "4, 2, 3, 1, 6, false"})      // a 1×N map
    void matchesTheDefinition(int n, int cin, int cout, int h, int w, boolean bias) {
        Random rnd = new Random(n * 1000L + cin * 37L + cout + h * 7L + w);
        Conv2d conv = Conv2dTest.randomConv(rnd, cin, cout, 3, 3, 1, 1, bias).forceWinograd(true).usePool(one);
        Tensor x = GradCheck.random(rnd, n, cin, h, w);
        Tensor dy = GradCheck.random(rnd, conv.outputShape(x.shape()));
        float[] y1 = conv.forward(x, true).data().clone();
        float[] dx1 = conv.backward(dy).copy().data();
        double scale = Math.sqrt(cin * 9.0); // Σ|w||x| grows like √(terms) for these random values
        Conv2dBatchedTest.assertClose(Conv2dTest.directConv(x, conv), y1, 2e-5 * scale, "forward");
        double[][] expected = Conv2dBatchedTest.directBackward(x, dy, conv);
        Conv2dBatchedTest.assertClose(expected[0], dx1, 2e-5 * Math.sqrt(cout * 9.0), "dX");
        // dW sums n·h·w products (|dW| ~ √(n·h·w)/3 here); F(4×4)'s transforms keep ~1e-5 of that
        Conv2dBatchedTest.assertClose(expected[1], conv.weight().grad().data(),
                1e-4 * Math.max(1, Math.sqrt(n * h * w) / 10), "dW");

        conv.usePool(two);
        assertArrayEquals(y1, conv.forward(x, true).data(), "forward, one vs two threads");
        assertArrayEquals(dx1, conv.backward(dy).copy().data(), "dX, one vs two threads");
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Random rnd = new Random(4);
        Conv2d conv = Conv2dTest.randomConv(rnd, 3, 4, 3, 3, 1, 1, true).forceWinograd(true);
        Tensor x = GradCheck.random(rnd, 2, 3, 9, 6);
        GradCheck.check(conv, x, true, 1e-2, 2e-3, 150);
    }

    @Test
    void withoutInputGradientOnlyParameterGradients() {
        Random rnd = new Random(8);
        for (boolean winograd : new boolean[] {false, true}) {
            Conv2d conv = Conv2dTest.randomConv(rnd, 3, 5, 3, 3, 1, 1, true).forceWinograd(winograd);
            Tensor x = GradCheck.random(rnd, 2, 3, 6, 7);
            Tensor dy = GradCheck.random(rnd, conv.outputShape(x.shape()));
            conv.forward(x, true);
            conv.backward(dy);
            float[] dw = conv.weight().grad().data().clone(), db = conv.bias().grad().data().clone();
            conv.weight().zeroGrad();
            conv.bias().zeroGrad();
            conv.setInputGradient(false);
            assertEquals(null, conv.backward(dy));
            assertArrayEquals(dw, conv.weight().grad().data());
            assertArrayEquals(db, conv.bias().grad().data());
        }
    }

    @Test
    void pickedByShape() {
        Conv2d conv = new Conv2d(24, 16, 3, 1, 1, false);
        assertTrue(conv.winogradTile(1, 24, 16, 28, 28, false) > 0, "24 → 16 channels: Winograd");
        assertEquals(0, conv.winogradTile(1, 15, 24, 28, 28, true), "15 input channels: GEMM");
        assertEquals(0, conv.winogradTile(1, 24, 8, 28, 28, false), "8 output channels: GEMM");
        assertTrue(conv.winogradTile(1, 24, 16, 4, 4, false) > 0, "forward on 4×4: Winograd");
        assertEquals(0, conv.winogradTile(1, 24, 16, 4, 4, true), "input gradient on 4×4: GEMM");
        assertEquals(0, new Conv2d(24, 24, 3, 2, 1, false).winogradTile(1, 24, 24, 28, 28, false), "stride 2: GEMM");
        assertEquals(0, new Conv2d(24, 24, 1, 1, 0, false).winogradTile(1, 24, 24, 28, 28, false), "1×1: GEMM");
        assertEquals(0, conv.forceWinograd(false).winogradTile(1, 64, 64, 28, 28, false), "forced off");
    }
}
