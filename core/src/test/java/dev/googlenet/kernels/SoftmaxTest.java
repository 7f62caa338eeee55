package dev.googlenet.kernels;

import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared softmax against values worked out by hand, at the edges of float range and along strided axes. */
class SoftmaxTest {

    @Test
    void knownValues() {
        float l2 = (float) Math.log(2), l3 = (float) Math.log(3);
        float[] y = new float[3];
        Softmax.softmax(new float[] {0, l2, l3}, 0, y, 0, 3, 1); // exp: 1, 2, 3 → 1/6, 2/6, 3/6
        assertArrayEquals(new float[] {1 / 6f, 2 / 6f, 3 / 6f}, y, 1e-7f);
        Softmax.logSoftmax(new float[] {0, l2, l3}, 0, y, 0, 3, 1);
        assertArrayEquals(new float[] {(float) Math.log(1 / 6.0), (float) Math.log(2 / 6.0), (float) Math.log(0.5)},
                y, 1e-6f);
        assertEquals(Math.log(6), Softmax.logSumExp(new float[] {0, l2, l3}, 0, 3), 1e-7);
    }

    @Test
    void largeLogitsDoNotOverflow() {
        // exp(1000) overflows float and double; shifted by the maximum the row is [1/(1+e), e/(1+e)]
        float[] y = new float[2];
        Softmax.softmax(new float[] {1000, 1001}, 0, y, 0, 2, 1);
        double e = Math.E;
        assertArrayEquals(new float[] {(float) (1 / (1 + e)), (float) (e / (1 + e))}, y, 1e-7f);
        assertEquals(1000 + Math.log(2), Softmax.logSumExp(new float[] {1000, 1000}, 0, 2), 1e-9);
        // and very negative ones do not underflow the log: log-softmax of [0, -200] is [-log(1+e^-200), -200 - …]
        Softmax.logSoftmax(new float[] {0, -200}, 0, y, 0, 2, 1);
        assertEquals(0f, y[0], 1e-30f);
        assertEquals(-200f, y[1], 1e-4f);
        Softmax.softmax(new float[] {0, -200}, 0, y, 0, 2, 1);
        assertEquals(1f, y[0]);
        assertEquals((float) Math.exp(-200), y[1]); // 0 in float: exp(-200) is below float's smallest
    }

    @Test
    void nanAndInfinities() {
        float[] y = new float[3];
        Softmax.softmax(new float[] {1, Float.NaN, 2}, 0, y, 0, 3, 1);
        for (float v : y) {
            assertTrue(Float.isNaN(v), "NaN in, NaN out");
        }
        Softmax.softmax(new float[] {Float.NEGATIVE_INFINITY, 0, 0}, 0, y, 0, 3, 1);
        assertArrayEquals(new float[] {0, 0.5f, 0.5f}, y);
        assertEquals(Double.POSITIVE_INFINITY, Softmax.logSumExp(new float[] {1, Float.POSITIVE_INFINITY}, 0, 2));
        assertEquals(Double.NEGATIVE_INFINITY,
                Softmax.logSumExp(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, 2));
        assertThrows(IllegalArgumentException.class, () -> Softmax.logSumExp(new float[0], 0, 0));
    }

    @Test
    void stridedAxisEqualsTheContiguousRowsOfTheTranspose() {
        // x [2, 4, 3]: softmax along the middle axis (stride 3) against rows of the transposed [2, 3, 4]
        Random r = new Random(1);
        float[] x = new float[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 5);
        }
        float[] strided = new float[24];
        for (int o = 0; o < 2; o++) {
            for (int i = 0; i < 3; i++) {
                Softmax.softmax(x, o * 12 + i, strided, o * 12 + i, 4, 3);
            }
        }
        float[] t = new float[24];
        for (int o = 0; o < 2; o++) {
            for (int a = 0; a < 4; a++) {
                for (int i = 0; i < 3; i++) {
                    t[o * 12 + i * 4 + a] = x[o * 12 + a * 3 + i];
                }
            }
        }
        Softmax.rows(t, t, 6, 4); // in place
        for (int o = 0; o < 2; o++) {
            for (int a = 0; a < 4; a++) {
                for (int i = 0; i < 3; i++) {
                    assertEquals(t[o * 12 + i * 4 + a], strided[o * 12 + a * 3 + i], 0f);
                }
            }
        }
        double sum = 0;
        for (int a = 0; a < 4; a++) {
            sum += strided[12 + a * 3 + 2];
        }
        assertEquals(1, sum, 1e-6);
    }

    @Test
    void rowsOfATensorAndLogRowsAgree() {
        Tensor logits = Tensor.of(new float[] {1, 2, 3, -1, 0, 40}, 2, 3);
        Tensor p = Softmax.rows(logits);
        float[] log = new float[6];
        Softmax.logRows(logits.data(), log, 2, 3);
        for (int i = 0; i < 6; i++) {
            assertEquals(Math.log(p.data()[i]), log[i], 1e-6 * Math.max(1, Math.abs(log[i])));
        }
        assertArrayEquals(new float[] {1, 2, 3, -1, 0, 40}, logits.data(), "input untouched");
        assertThrows(IllegalArgumentException.class, () -> Softmax.rows(Tensor.zeros(3)));
    }
}
