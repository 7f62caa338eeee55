package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BatchNorm2dTest {

    private static BatchNorm2d randomBn(Random rnd, int c) {
        BatchNorm2d bn = new BatchNorm2d(c, 1e-3f, 0.1f);
        for (int i = 0; i < c; i++) {
            bn.weight().value().data()[i] = 0.5f + rnd.nextFloat();
            bn.bias().value().data()[i] = rnd.nextFloat() - 0.5f;
            bn.runningMean().data()[i] = rnd.nextFloat() - 0.5f;
            bn.runningVar().data()[i] = 0.5f + rnd.nextFloat();
        }
        return bn;
    }

    @Test
    void trainingNormalizesWithBatchStatisticsAndUpdatesRunningOnes() {
        BatchNorm2d bn = new BatchNorm2d(1, 0f, 0.1f);
        // one channel, values 1..4: mean 2.5, biased var 1.25, unbiased var 5/3
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 1, 1, 2);
        Tensor y = bn.forward(x, true);
        float s = (float) (1 / Math.sqrt(1.25));
        assertArrayEquals(new float[] {-1.5f * s, -0.5f * s, 0.5f * s, 1.5f * s}, y.data(), 1e-6f);
        assertEquals(0.25f, bn.runningMean().data()[0], 1e-6f);              // 0.9·0 + 0.1·2.5
        assertEquals(0.9f + 0.1f * 5f / 3f, bn.runningVar().data()[0], 1e-6f); // 0.9·1 + 0.1·5/3
    }

    @Test
    void evalUsesRunningStatistics() {
        BatchNorm2d bn = new BatchNorm2d(1, 1e-3f, 0.1f);
        bn.runningMean().data()[0] = 1f;
        bn.runningVar().data()[0] = 4f;
        bn.weight().value().data()[0] = 2f;
        bn.bias().value().data()[0] = 0.5f;
        Tensor y = bn.forward(Tensor.of(new float[] {3f}, 1, 1, 1, 1), false);
        assertEquals(2f * 2f / (float) Math.sqrt(4.001) + 0.5f, y.data()[0], 1e-6f);
    }

    @Test
    void trainingBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(5);
        GradCheck.check(randomBn(rnd, 7), GradCheck.random(rnd, 3, 7, 5, 3), true, 1e-2, 2e-3, 120);
    }

    @Test
    void evalBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(6);
        GradCheck.check(randomBn(rnd, 5), GradCheck.random(rnd, 2, 5, 3, 4), false, 1e-2, 2e-3, 120);
    }

    /** BatchNorm with its ReLU fused in, as one layer for the gradient check. */
    private static Layer fused(BatchNorm2d bn) {
        return new Layer() {
            @Override
            public Tensor forward(Tensor x, boolean training) {
                return bn.forward(x, training, true);
            }

            @Override
            public Tensor backward(Tensor gradOut) {
                return bn.backward(gradOut, true).copy();
            }

            @Override
            public void visitState(String prefix, StateVisitor visitor) {
                bn.visitState(prefix, visitor);
            }
        };
    }

    @Test
    void fusedReluEqualsBatchNormThenRelu() {
        Random rnd = new Random(8);
        Tensor x = GradCheck.random(rnd, 4, 6, 7, 7);
        Tensor dy = GradCheck.random(rnd, 4, 6, 7, 7);
        BatchNorm2d a = randomBn(new Random(3), 6), b = randomBn(new Random(3), 6);
        Relu relu = new Relu();
        Tensor expected = relu.forward(a.forward(x, true), true).copy();
        Tensor actual = b.forward(x, true, true);
        assertArrayEquals(expected.data(), actual.data(), 1e-6f);
        Tensor dxExpected = a.backward(relu.backward(dy)).copy();
        Tensor dxActual = b.backward(dy, true).copy();
        assertArrayEquals(dxExpected.data(), dxActual.data(), 1e-5f);
        assertArrayEquals(a.weight().grad().data(), b.weight().grad().data(), 1e-4f);
        assertArrayEquals(a.bias().grad().data(), b.bias().grad().data(), 1e-4f);
        assertArrayEquals(a.runningVar().data(), b.runningVar().data(), 0f);
    }

    @Test
    void fusedReluBackwardMatchesFiniteDifferences() {
        Random rnd = new Random(9);
        GradCheck.check(fused(randomBn(rnd, 5)), GradCheck.random(rnd, 3, 5, 4, 3), true, 3e-3, 3e-3, 120);
    }

    @Test
    void backwardMustMatchTheForwardsFusion() {
        BatchNorm2d bn = new BatchNorm2d(2, 1e-3f, 0.1f);
        Tensor x = GradCheck.random(new Random(1), 2, 2, 3, 3);
        bn.forward(x, true, true);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> bn.backward(Tensor.zerosLike(x), false).copy());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("fused ReLU"), e.getMessage());
    }

    @Test
    void reusesItsBuffersOnceShapesAreSteady() {
        BatchNorm2d bn = new BatchNorm2d(3, 1e-3f, 0.1f);
        Tensor x = GradCheck.random(new Random(2), 2, 3, 4, 4);
        Tensor y1 = bn.forward(x, true, true), g1 = bn.backward(x, true);
        Tensor y2 = bn.forward(x, true, true), g2 = bn.backward(x, true);
        org.junit.jupiter.api.Assertions.assertSame(y1, y2);
        // the input gradient lives in the thread's BatchNorm gradient buffer: the same storage every time
        org.junit.jupiter.api.Assertions.assertSame(g1.data(), g2.data());
    }
}
