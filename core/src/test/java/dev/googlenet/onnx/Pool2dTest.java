package dev.googlenet.onnx;

import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * ONNX pooling: on PyTorch's settings it gives the engine's layers' results, and its plain loop (used for the
 * windows the engine has no kernel for) agrees with them too, so both paths share one semantics.
 */
class Pool2dTest {

    @Test
    void bothPathsAgreeWithTheLayersOnPyTorchSettings() {
        int cases = 0;
        for (int size = 5; size <= 17; size += 3) {
            for (int k = 1; k <= 4; k++) {
                for (int s = 1; s <= 3; s++) {
                    for (int p = 0; p <= k / 2; p++) {
                        for (boolean ceil : new boolean[] {false, true}) {
                            Tensor x = OnnxExportTest.randomInput(size * 100 + k * 10 + s, 2, 3, size, size);
                            Pool2d pool = new Pool2d(k, k, s, s, 1, 1, new long[] {p, p, p, p}, "NOTSET", ceil);
                            Tensor max = new MaxPool2d(k, s, p, ceil).forward(x, false);
                            assertArrayEquals(max.shape(), pool.outputShape(x.shape()));
                            assertArrayEquals(max.data(), pool.max(x).data());
                            assertArrayEquals(max.data(), pool.plain(x, true, false).data());
                            for (boolean include : new boolean[] {false, true}) {
                                Tensor avg = new AvgPool2d(k, s, p, ceil, include).forward(x, false);
                                assertArrayEquals(avg.data(), pool.average(x, include).data(), 0f);
                                assertArrayEquals(avg.data(), pool.plain(x, false, include).data(), 1e-6f);
                            }
                            cases++;
                        }
                    }
                }
            }
        }
        System.out.println("Pool2d vs MaxPool2d/AvgPool2d: " + cases + " settings agree");
        assertEquals(5 * 3 * 2 * (1 + 2 + 2 + 3), cases);
    }

    @Test
    void asymmetricHeadPaddingStillRunsOnTheEngineKernelWhenTopEqualsLeft() {
        // pads [1,1,0,2]: head 1 on both axes (the engine's padding), tails only change the window count
        Tensor x = OnnxExportTest.randomInput(4, 1, 2, 7, 6);
        Pool2d pool = new Pool2d(3, 3, 2, 2, 1, 1, new long[] {1, 1, 0, 2}, "NOTSET", false);
        Tensor viaKernel = pool.max(x);
        assertArrayEquals(new int[] {1, 2, 3, 4}, viaKernel.shape());
        assertArrayEquals(pool.plain(x, true, false).data(), viaKernel.data());
    }

    @Test
    void dilatedWindowByHand() {
        // 1×1×4×4 of 0..15, kernel 2×2, dilation 2, stride 1: windows {0,2,8,10} … → maxima 10, 11, 14, 15
        float[] v = new float[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i;
        }
        Pool2d pool = new Pool2d(2, 2, 1, 1, 2, 2, new long[4], "NOTSET", false);
        Tensor y = pool.max(Tensor.of(v, 1, 1, 4, 4));
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {10, 11, 14, 15}, y.data());
        assertArrayEquals(new float[] {5, 6, 9, 10}, pool.average(Tensor.of(v, 1, 1, 4, 4), false).data());
    }

    @Test
    void globalMaxPoolOnNonSquareMapsIsThePlaneMaximum() throws OnnxException {
        // the engine kernel gets one window of max(H, W) on a side, larger than the map along the other axis
        for (int[] hw : new int[][] {{3, 7}, {9, 4}, {1, 1}, {13, 2}}) {
            Tensor x = OnnxExportTest.randomInput(hw[0] * 31 + hw[1], 2, 3, hw[0], hw[1]);
            x.data()[5] = Float.NaN; // in plane 0: its maximum is NaN, as in the engine (and ONNX Runtime)
            OnnxModel m = Graphs.single(13, OnnxModel.Node.of("g", "GlobalMaxPool", java.util.List.of("x"),
                    java.util.List.of("y")), java.util.Map.of(), 2L, 3L, (long) hw[0], (long) hw[1]);
            Tensor y = OnnxRunner.of(m).run(x);
            assertArrayEquals(new int[] {2, 3, 1, 1}, y.shape());
            int plane = hw[0] * hw[1];
            for (int p = 0; p < 6; p++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < plane; i++) {
                    float v = x.data()[p * plane + i];
                    max = Float.isNaN(v) || Float.isNaN(max) ? Float.NaN : Math.max(max, v);
                }
                assertEquals(max, y.data()[p], 0f, hw[0] + "×" + hw[1] + " plane " + p);
            }
        }
    }
}
