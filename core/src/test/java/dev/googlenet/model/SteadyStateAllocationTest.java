package dev.googlenet.model;

import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once shapes are steady, a training step and an inference call reuse every activation and gradient buffer:
 * what they still allocate (lambdas, small per-call arrays) is a tiny fraction of one batch's activations.
 * Counted over all threads with the JVM's per-thread allocation counters.
 */
class SteadyStateAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedByAllThreads() {
        long total = 0;
        for (long b : THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds())) {
            total += Math.max(0, b);
        }
        return total;
    }

    /** Bytes of the trunk's forward activations for this input: what one step would allocate without reuse (×2–3). */
    private static long activationBytes(GoogLeNet model, int[] inputShape) {
        long total = 0;
        int[] shape = inputShape;
        for (var layer : model.trunk().layers()) {
            shape = layer.outputShape(shape);
            total += 4 * dev.googlenet.tensor.Shape.size(shape);
        }
        return total;
    }

    @Test
    void aTrainingStepAndAnInferenceCallAllocateAlmostNothingOnceWarm() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optNumClasses(10)
                .optSmallInput(true).optWidth(0.25f).optInputChannels(1).optSeed(3).build());
        Sgd sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 1e-4f, true);
        Tensor x = GradCheck.random(new Random(5), 64, 1, 28, 28);
        int[] labels = new int[64];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 10;
        }
        // What remains are lambdas, small per-call arrays and, depending on the JIT's inlining, some boxed vectors:
        // well under half of one forward's activations (a step that reallocated its buffers would allocate
        // two to three times them)
        long limit = activationBytes(model, x.shape()) / 2;
        // the first calls run partly interpreted, where every Vector-API operation allocates: warm up first
        long[] perStep = new long[20];
        for (int step = 0; step < perStep.length; step++) {
            long before = allocatedByAllThreads();
            sgd.zeroGrad();
            Outputs out = model.forwardTrain(x);
            var loss = GoogLeNetLoss.compute(out, labels, 0.3f);
            model.backward(loss.gradients(), false);
            sgd.step();
            perStep[step] = allocatedByAllThreads() - before;
        }
        long steady = java.util.Arrays.stream(perStep, 10, perStep.length).min().orElseThrow();
        System.out.printf("training step allocations: first %,d bytes, steady %,d bytes (limit %,d)%n", perStep[0],
                steady, limit);
        assertTrue(steady < limit, "steady-state training step allocated " + steady + " bytes");

        long[] inference = new long[20];
        for (int i = 0; i < inference.length; i++) {
            long before = allocatedByAllThreads();
            model.forward(x);
            inference[i] = allocatedByAllThreads() - before;
        }
        steady = java.util.Arrays.stream(inference, 10, inference.length).min().orElseThrow();
        System.out.printf("inference allocations: first %,d bytes, steady %,d bytes%n", inference[0], steady);
        assertTrue(steady < limit, "steady-state inference allocated " + steady + " bytes");
    }
}
