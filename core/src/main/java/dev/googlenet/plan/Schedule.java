package dev.googlenet.plan;

import dev.googlenet.tensor.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A plan's steps fixed to one input shape: every value's shape, the temporaries each step needs, and the memory
 * plan that places them all in a workspace's few buffers. Made once per input shape; workspaces for it are pooled,
 * so that concurrent calls each take one and steady calls allocate nothing but their result.
 */
final class Schedule {
    final int[] input;
    final int[][] shapes; // output shape of each step
    private final int[] outputBuffer; // step → buffer of its output
    private final int[][] tempBuffers; // step → buffers of its temporaries
    private final long[] bufferSizes;
    private final ConcurrentLinkedQueue<Workspace> idle = new ConcurrentLinkedQueue<>();

    Schedule(List<Step> steps, int[] input, int threads) {
        this.input = input.clone();
        int k = steps.size();
        shapes = new int[k][];
        List<MemoryPlan.Value> values = new ArrayList<>();
        int[] firstValueOfStep = new int[k];
        long[][] temps = new long[k][];
        int[] shape = input;
        for (int i = 0; i < k; i++) {
            Step step = steps.get(i);
            temps[i] = step.temporaries(shape, threads);
            shape = step.outputShape(shape);
            shapes[i] = shape;
            firstValueOfStep[i] = values.size();
            // the output lives until the next step has read it (the last step's: until it is copied out)
            values.add(new MemoryPlan.Value(Shape.size(shape), i, i + 1));
            for (long t : temps[i]) {
                values.add(new MemoryPlan.Value(t, i, i));
            }
        }
        MemoryPlan plan = MemoryPlan.of(values);
        outputBuffer = new int[k];
        tempBuffers = new int[k][];
        for (int i = 0; i < k; i++) {
            outputBuffer[i] = plan.buffer(firstValueOfStep[i]);
            tempBuffers[i] = new int[temps[i].length];
            for (int j = 0; j < temps[i].length; j++) {
                tempBuffers[i][j] = plan.buffer(firstValueOfStep[i] + 1 + j);
            }
        }
        bufferSizes = plan.sizes();
    }

    /** Bytes of one workspace for this shape. */
    long workspaceBytes() {
        long total = 0;
        for (long s : bufferSizes) {
            total += 4 * s;
        }
        return total;
    }

    Workspace acquire() {
        Workspace w = idle.poll();
        return w != null ? w : new Workspace(bufferSizes, outputBuffer, tempBuffers);
    }

    void release(Workspace w) {
        idle.offer(w);
    }
}
