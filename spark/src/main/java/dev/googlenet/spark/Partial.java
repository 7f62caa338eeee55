package dev.googlenet.spark;

import java.io.Serializable;

/**
 * A sum of tasks' contributions to one step: their gradients, already weighted by their share of the global batch
 * (so the sum is the gradient of the global batch's mean loss), the summed loss, and their slowest weight fetch
 * and computation. {@code buffers} is rank 0's BatchNorm running statistics (null from other partitions).
 */
record Partial(float[] gradient, double lossSum, int samples, long fetchNanos, long computeNanos, float[] buffers)
        implements Serializable {

    /** The sum of two partials, into {@code a}'s gradient (a partial is consumed by the merge that takes it). */
    static Partial merge(Partial a, Partial b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        float[] g = a.gradient;
        float[] h = b.gradient;
        for (int i = 0; i < g.length; i++) {
            g[i] += h[i];
        }
        return new Partial(g, a.lossSum + b.lossSum, a.samples + b.samples, Math.max(a.fetchNanos, b.fetchNanos),
                Math.max(a.computeNanos, b.computeNanos), a.buffers != null ? a.buffers : b.buffers);
    }
}
