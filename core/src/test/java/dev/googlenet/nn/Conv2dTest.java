package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class Conv2dTest {

    /** The plain definition of convolution, in double: the reference the im2col + GEMM path is checked against. */
    static float[] directConv(Tensor x, Conv2d conv) {
        int n = x.dim(0), cin = conv.inChannels(), h = x.dim(2), w = x.dim(3);
        int[] os = conv.outputShape(x.shape());
        int cout = os[1], oh = os[2], ow = os[3], kh = conv.kernelH(), kw = conv.kernelW();
        int s = conv.stride(), p = conv.padding();
        float[] wt = conv.weight().value().data();
        float[] out = new float[n * cout * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int co = 0; co < cout; co++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        double acc = conv.bias() == null ? 0 : conv.bias().value().data()[co];
                        for (int ci = 0; ci < cin; ci++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * s - p + i, ix = ox * s - p + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        acc += (double) x.get(img, ci, iy, ix) * wt[((co * cin + ci) * kh + i) * kw + j];
                                    }
                                }
                            }
                        }
                        out[((img * cout + co) * oh + oy) * ow + ox] = (float) acc;
                    }
                }
            }
        }
        return out;
    }

    static Conv2d randomConv(Random rnd, int cin, int cout, int kh, int kw, int s, int p, boolean bias) {
        Conv2d conv = new Conv2d(cin, cout, kh, kw, s, p, bias);
        System.arraycopy(GradCheck.random(rnd, conv.weight().value().shape()).data(), 0,
                conv.weight().value().data(), 0, conv.weight().value().size());
        if (bias) {
            System.arraycopy(GradCheck.random(rnd, cout).data(), 0, conv.bias().value().data(), 0, cout);
        }
        return conv;
    }

    @ParameterizedTest(name = "cin={0} cout={1} k={2}x{3} s={4} p={5} bias={6} map={7}x{8}")
    @CsvSource({
            "7, 5, 3, 3, 2, 1, true, 13, 11",
            "7, 5, 1, 1, 1, 0, false, 13, 11",   // pointwise: GEMM straight on the input
            "3, 4, 7, 7, 2, 3, true, 17, 15",    // the stem's 7×7/2
            "6, 3, 5, 5, 1, 2, false, 9, 10",    // the paper's 5×5 branch
            "5, 6, 3, 1, 1, 1, true, 8, 7",      // non-square kernel
            "4, 2, 1, 1, 2, 0, true, 9, 9",      // strided 1×1 needs im2col
            "3, 2, 3, 3, 2, 2, false, 6, 5",     // padding wider than the stride
            "9, 4, 5, 5, 3, 1, true, 12, 13",    // stride 3
            "3, 13, 7, 7, 2, 3, true, 9, 150",   // strided, 75 output columns: two panels, the second partial
            "2, 7, 3, 3, 2, 1, false, 5, 128",   // strided, exactly one full panel of output columns
            "3, 5, 3, 5, 2, 1, true, 11, 40"})   // strided, non-square kernel
    void matchesDirectConvolution(int cin, int cout, int kh, int kw, int s, int p, boolean bias, int h, int w) {
        Random rnd = new Random(42);
        Conv2d conv = randomConv(rnd, cin, cout, kh, kw, s, p, bias);
        for (int n : new int[] {1, 3}) { // one image: im2col and GEMM split over threads; several: images in parallel
            Tensor x = GradCheck.random(rnd, n, cin, h, w);
            Tensor y = conv.forward(x, false);
            float[] expected = directConv(x, conv);
            assertEquals(expected.length, y.size());
            assertArrayEquals(expected, y.data(), 1e-5f);
        }
    }

    @ParameterizedTest(name = "k={0} s={1} p={2} bias={3}")
    @CsvSource({"3, 2, 1, true", "1, 1, 0, false", "5, 1, 2, true", "1, 2, 0, false"})
    void backwardMatchesFiniteDifferences(int k, int s, int p, boolean bias) {
        Random rnd = new Random(3);
        Conv2d conv = randomConv(rnd, 3, 4, k, k, s, p, bias);
        Tensor x = GradCheck.random(rnd, 2, 3, 7, 6);
        GradCheck.check(conv, x, true, 1e-2, 2e-3, 150);
    }
}
