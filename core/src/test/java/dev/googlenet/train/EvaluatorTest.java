package dev.googlenet.train;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of test-time views: mirror and shifted images, and scoring averaged probabilities as logits. */
class EvaluatorTest {

    private static Tensor ramp(int... shape) {
        Tensor x = Tensor.zeros(shape);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = i;
        }
        return x;
    }

    @Test
    void mirrorReversesEachRow() {
        Tensor x = ramp(2, 1, 2, 3);
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9},
                new TestView(0, 0, true).apply(x, new float[] {-9}).data());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, x.data(), "input untouched");
        assertSame(x, TestView.IDENTITY.apply(x, new float[] {-9}));
    }

    @Test
    void shiftFillsUncoveredPixelsWithEachChannelsBlank() {
        Tensor x = ramp(1, 2, 3, 3); // channel 0: 0..8, channel 1: 9..17
        float[] blank = {-1f, -2f};
        // down 1, left 1: out[y][x] = in[y-1][x+1]
        assertArrayEquals(new float[] {
                -1, -1, -1, 1, 2, -1, 4, 5, -1,
                -2, -2, -2, 10, 11, -2, 13, 14, -2}, new TestView(1, -1, false).apply(x, blank).data());
        // shifted right by 1, then mirrored: row [a b c] -> shifted [_ a b] -> mirrored [b a _]
        assertArrayEquals(new float[] {1, 0, -1, 4, 3, -1, 7, 6, -1},
                java.util.Arrays.copyOf(new TestView(0, 1, true).apply(x, blank).data(), 9));
        assertThrows(IllegalArgumentException.class, () -> new TestView(1, 0, false).apply(x, new float[] {0}));
    }

    @Test
    void tenCropIsTheCenterAndFourCornersOfThePaddedImageEachMirrored() {
        List<TestView> ten = TestView.tenCrop(2);
        assertEquals(10, ten.size());
        assertTrue(ten.getFirst().isIdentity());
        assertEquals(10, new HashSet<>(ten).size(), "all different");
        for (TestView v : ten) {
            assertTrue(Math.abs(v.dy()) == 2 && Math.abs(v.dx()) == 2 || v.dy() == 0 && v.dx() == 0, v.toString());
        }
        assertEquals(5, ten.stream().filter(TestView::mirror).count());
        assertThrows(IllegalArgumentException.class, () -> TestView.tenCrop(0));
        // the top-left corner crop of the image padded by 1 is the image moved down-right by 1
        Tensor x = ramp(1, 1, 2, 2);
        assertArrayEquals(new float[] {7, 7, 7, 0}, new TestView(1, 1, false).apply(x, new float[] {7}).data());
    }

    @Test
    void blankIsTheNormalizedBlackPixel() {
        float[] b = Evaluator.blank(new float[] {0.5f, 0.25f}, new float[] {0.25f, 0.5f});
        assertArrayEquals(new float[] {-2f, -0.5f}, b);
    }

    @Test
    void logOfMeanSoftmaxIsTheAverageAsLogits() {
        float[][] views = {{1f, 2f, -1f, 50f, 0f, -30f}, {3f, -2f, 0.5f, -40f, 10f, 2f}, {0f, 0f, 7f, 1f, 1f, 1f}};
        for (int count = 2; count <= 3; count++) {
            List<Tensor> ts = new java.util.ArrayList<>();
            for (int v = 0; v < count; v++) {
                Tensor t = Tensor.zeros(2, 3);
                System.arraycopy(views[v], 0, t.data(), 0, 6);
                ts.add(t);
            }
            float[] out = Evaluator.logOfMeanSoftmax(ts).data();
            for (int r = 0; r < 2; r++) {
                double[] po = softmax(out, r);
                double sum = 0;
                for (int j = 0; j < 3; j++) {
                    double mean = 0;
                    for (int v = 0; v < count; v++) {
                        mean += softmax(views[v], r)[j] / count;
                    }
                    assertEquals(mean, po[j], 1e-6, count + " views, row " + r + " class " + j);
                    assertEquals(Math.log(mean), out[r * 3 + j], 1e-5);
                    sum += Math.exp(out[r * 3 + j]);
                }
                assertEquals(1.0, sum, 1e-6, "already normalized");
            }
        }
        // a class both views rule out (probabilities e^-200 and e^-300, below float's smallest) keeps a finite
        // logit: log((e^-200 + e^-300) / 2) = -200 - log 2 + log(1 + e^-100)
        float[] far = Evaluator.logOfMeanSoftmax(List.of(Tensor.of(new float[] {0, -200}, 1, 2),
                Tensor.of(new float[] {0, -300}, 1, 2))).data();
        assertEquals(-200 - Math.log(2), far[1], 1e-4);
        assertEquals(0, far[0], 1e-6);
    }

    private static double[] softmax(float[] v, int row) {
        double m = Math.max(v[row * 3], Math.max(v[row * 3 + 1], v[row * 3 + 2])), s = 0;
        double[] p = new double[3];
        for (int j = 0; j < 3; j++) {
            p[j] = Math.exp(v[row * 3 + j] - m);
            s += p[j];
        }
        for (int j = 0; j < 3; j++) {
            p[j] /= s;
        }
        return p;
    }
}
