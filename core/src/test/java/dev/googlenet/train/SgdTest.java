package dev.googlenet.train;

import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SgdTest {
    @Test
    void followsPyTorchMomentumAndWeightDecay() {
        Param p = new Param("w", Tensor.of(new float[] {1f}, 1), Param.Kind.WEIGHT);
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0.9f, 0.01f, false);
        p.grad().data()[0] = 0.5f;
        sgd.step();
        // g = 0.5 + 0.01·1 = 0.51; buf = 0.51; w = 1 − 0.051
        assertEquals(0.949f, p.value().data()[0], 1e-6f);
        sgd.step(); // same grad: g = 0.5 + 0.00949 = 0.50949; buf = 0.9·0.51 + 0.50949 = 0.96849
        assertEquals(0.949f - 0.096849f, p.value().data()[0], 1e-6f);
    }

    @Test
    void nesterovLooksAhead() {
        Param p = new Param("w", Tensor.of(new float[] {0f}, 1), Param.Kind.WEIGHT);
        Sgd sgd = new Sgd(List.of(p), 1f, 0.5f, 0f, true);
        p.grad().data()[0] = 1f;
        sgd.step(); // buf = 1; step = g + 0.5·buf = 1.5
        assertEquals(-1.5f, p.value().data()[0], 1e-6f);
    }
}
