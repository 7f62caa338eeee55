package dev.googlenet.onnx;

import dev.googlenet.nn.AvgPool2d;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The ONNX pooling kernel agrees with the engine's PyTorch-exact layers wherever both apply. */
class Pool2dTest {

    @Test
    void agreesWithTheLayersOnPyTorchSettings() {
        int cases = 0;
        for (int size = 5; size <= 17; size += 3) {
            for (int k = 1; k <= 4; k++) {
                for (int s = 1; s <= 3; s++) {
                    for (int p = 0; p <= k / 2; p++) {
                        for (boolean ceil : new boolean[] {false, true}) {
                            Tensor x = OnnxExportTest.randomInput(size * 100 + k * 10 + s, 2, 3, size, size);
                            Pool2d pool = new Pool2d(k, k, s, s, 1, 1, new long[] {p, p, p, p}, "NOTSET", ceil);
                            int[] os = pool.outputShape(x.shape());
                            Tensor max = new MaxPool2d(k, s, p, ceil).forward(x, false);
                            assertArrayEquals(max.shape(), os);
                            assertArrayEquals(max.data(), pool.max(x.data(), x.shape()));
                            for (boolean include : new boolean[] {false, true}) {
                                Tensor avg = new AvgPool2d(k, s, p, ceil, include).forward(x, false);
                                assertArrayEquals(avg.data(), pool.average(x.data(), x.shape(), include), 1e-6f);
                            }
                            cases++;
                        }
                    }
                }
            }
        }
        System.out.println("Pool2d vs MaxPool2d/AvgPool2d: " + cases + " settings agree");
    }
}
