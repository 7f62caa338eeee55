package dev.googlenet.train;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pieces of test-time mirroring: the mirror image, and scoring averaged probabilities as logits. */
class EvaluatorTest {

    @Test
    void mirrorReversesEachRow() {
        Tensor x = Tensor.zeros(2, 1, 2, 3);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = i;
        }
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9}, Evaluator.mirrorImages(x).data());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, x.data(), "input untouched");
    }

    @Test
    void logOfMeanSoftmaxIsTheAverageAsLogits() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(2, 3);
        float[] av = {1f, 2f, -1f, 50f, 0f, -30f}, bv = {3f, -2f, 0.5f, -40f, 10f, 2f};
        System.arraycopy(av, 0, a.data(), 0, 6);
        System.arraycopy(bv, 0, b.data(), 0, 6);
        float[] out = Evaluator.logOfMeanSoftmax(a, b).data();
        for (int r = 0; r < 2; r++) {
            double[] pa = softmax(av, r), pb = softmax(bv, r), po = softmax(out, r);
            double sum = 0;
            for (int j = 0; j < 3; j++) {
                assertEquals((pa[j] + pb[j]) / 2, po[j], 1e-6, "row " + r + " class " + j);
                assertEquals(Math.log((pa[j] + pb[j]) / 2), out[r * 3 + j], 1e-5);
                sum += Math.exp(out[r * 3 + j]);
            }
            assertEquals(1.0, sum, 1e-6, "already normalized");
        }
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
