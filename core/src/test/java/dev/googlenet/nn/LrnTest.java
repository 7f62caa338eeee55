package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LrnTest {

    @Test
    void handComputedOddWindow() {
        // size 3, alpha 3 (alpha/size = 1), beta 1/2, k 1; channels at pixel 0: {1,2,3}, pixel 1: {0,-1,2}
        //   pixel 0: c0 sees {1,2}: 1+1+4 = 6;  c1 sees {1,2,3}: 1+14 = 15;  c2 sees {2,3}: 1+13 = 14
        //   pixel 1: c0 sees {0,-1}: 1+1 = 2;   c1 sees {0,-1,2}: 1+5 = 6;   c2 sees {-1,2}: 1+5 = 6
        Tensor x = Tensor.of(new float[] {1, 0, 2, -1, 3, 2}, 1, 3, 1, 2);
        Tensor y = new Lrn(3, 3.0, 0.5, 1.0).forward(x, false);
        assertArrayEquals(new float[] {
                (float) (1 / Math.sqrt(6)), 0f,
                (float) (2 / Math.sqrt(15)), (float) (-1 / Math.sqrt(6)),
                (float) (3 / Math.sqrt(14)), (float) (2 / Math.sqrt(6))}, y.data(), 1e-6f);
        // the same numbers written out: 0.40824829, 0.51639778, 0.80178373, -0.40824829, 0.81649658
        assertArrayEquals(new float[] {0.40824829f, 0f, 0.51639778f, -0.40824829f, 0.80178373f, 0.81649658f},
                y.data(), 1e-6f);
    }

    @Test
    void paperSettingsOnSixChannels() {
        // size 5 (window c-2..c+2), alpha 1e-4, beta 0.75, k 1 on channels {10,20,...,60}:
        //   c0: squares 100+400+900 = 1400 -> scale 1 + 1e-4/5*1400 = 1.028 -> 10 / 1.028^0.75
        //   c1: 3000 -> 1.06;  c2: 5500 -> 1.11;  c3: 9000 -> 1.18;  c4: 8600 -> 1.172;  c5: 7700 -> 1.154
        Tensor x = Tensor.of(new float[] {10, 20, 30, 40, 50, 60}, 1, 6, 1, 1);
        Tensor y = Lrn.googlenet().forward(x, false);
        assertArrayEquals(new float[] {9.7950163f, 19.144790f, 27.741441f, 35.330394f, 44.388891f, 53.888599f},
                y.data(), 2e-5f);
    }

    @Test
    void evenSizeUsesOnnxWindow() {
        // size 2: window c..c+1 (ONNX: c - floor(1/2) .. c + ceil(1/2)); alpha 2 (alpha/size = 1), beta 1, k 1
        //   c0: 1 + (1+4) = 6;  c1: 1 + (4+9) = 14;  c2: 1 + 9 = 10
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3, 1, 1);
        Tensor y = new Lrn(2, 2.0, 1.0, 1.0).forward(x, false);
        assertArrayEquals(new float[] {1f / 6, 2f / 14, 3f / 10}, y.data(), 1e-7f);
    }

    @Test
    void handComputedBackward() {
        // size 3, alpha 3, beta 1, k 1 on two channels {1, 2}: both see both, scale s = 1 + 1 + 4 = 6,
        //   b = a / s;  db_c/da_j = [c==j] / s - a_c * 2 a_j / s^2
        // with g = {1, 0}: da_0 = 1/6 - 1*2*1/36 = 4/36,  da_1 = -1*2*2/36 = -4/36
        Lrn lrn = new Lrn(3, 3.0, 1.0, 1.0);
        lrn.forward(Tensor.of(new float[] {1, 2}, 1, 2, 1, 1), true);
        Tensor dx = lrn.backward(Tensor.of(new float[] {1, 0}, 1, 2, 1, 1)).copy();
        assertArrayEquals(new float[] {4f / 36, -4f / 36}, dx.data(), 1e-7f);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        Lrn[] layers = {
                new Lrn(5, 2.0, 0.75, 1.0),   // a strong cross-channel term
                new Lrn(4, 1.5, 0.75, 2.0),   // even size: asymmetric window, so backward must mirror it
                new Lrn(3, 0.7, 0.5, 1.0),
                new Lrn(9, 1.0, 0.75, 1.0),   // window wider than the 7 channels
                Lrn.googlenet()};
        for (Lrn lrn : layers) {
            Tensor x = GradCheck.random(new Random(9), 2, 7, 13, 11);
            for (int i = 0; i < x.size(); i++) {
                x.data()[i] *= 2f;
            }
            GradCheck.check(lrn, x, true, 1e-3, 1e-3, 2002);
        }
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Lrn.googlenet().forward(Tensor.zeros(2, 64, 56), false));
        assertTrue(e.getMessage().contains("Lrn") && e.getMessage().contains("[2,64,56]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Lrn(0, 1e-4, 0.75, 1));
        assertThrows(IllegalStateException.class, () -> Lrn.googlenet().backward(Tensor.zeros(1, 1, 1, 1)).copy());
    }
}
