package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * BatchNorm's per-plane passes, each with the ReLU that follows it optionally fused in, so that a training step
 * reads and writes every activation as few times as possible. One call covers one channel of one image
 * ({@code len} = H·W floats at {@code off}); the {@code *Reference} twins are the plain definitions the tests
 * compare against.
 */
public final class BatchNormKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private BatchNormKernels() {
    }

    /** y = (x − mean)·scale + shift, then max(0, ·) when {@code relu}. */
    public static void normalize(float[] x, float[] y, int off, int len, float mean, float scale, float shift,
                                 boolean relu) {
        FloatVector m = FloatVector.broadcast(S, mean), sc = FloatVector.broadcast(S, scale);
        FloatVector sh = FloatVector.broadcast(S, shift), zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(m).fma(sc, sh);
            (relu ? v.max(zero) : v).intoArray(y, off + i);
        }
        for (; i < len; i++) {
            float v = Math.fma(x[off + i] - mean, scale, shift); // as the vector lanes round
            y[off + i] = relu ? Math.max(v, 0f) : v;
        }
    }

    public static void normalizeReference(float[] x, float[] y, int off, int len, float mean, float scale,
                                          float shift, boolean relu) {
        for (int i = off; i < off + len; i++) {
            float v = (x[i] - mean) * scale + shift;
            y[i] = relu && v <= 0f ? 0f : v;
        }
    }

    /**
     * Adds Σ g and Σ g·(x − mean) to {@code sums[0]} and {@code sums[1]}, where g = dy, or with {@code relu}
     * g = dy where the forward's output y was positive and 0 elsewhere. Lanes are summed in a fixed order.
     */
    public static void gradientSums(float[] dy, float[] y, float[] x, int off, int len, float mean, boolean relu,
                                    double[] sums) {
        gradientSums(dy, y, x, off, len, mean, relu, sums, 0);
    }

    /** {@link #gradientSums(float[], float[], float[], int, int, float, boolean, double[])} into sums[at], sums[at+1]. */
    public static void gradientSums(float[] dy, float[] y, float[] x, int off, int len, float mean, boolean relu,
                                    double[] sums, int at) {
        FloatVector m = FloatVector.broadcast(S, mean), zero = FloatVector.zero(S);
        FloatVector sg = zero, sgx = zero;
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dy, off + i);
            if (relu) {
                VectorMask<Float> dead = FloatVector.fromArray(S, y, off + i).compare(VectorOperators.LE, 0f);
                g = g.blend(zero, dead);
            }
            sg = sg.add(g);
            sgx = FloatVector.fromArray(S, x, off + i).sub(m).fma(g, sgx);
        }
        double a = Elementwise.lanes(sg), b = Elementwise.lanes(sgx);
        for (; i < len; i++) {
            float g = relu && y[off + i] <= 0f ? 0f : dy[off + i];
            a += g;
            b += (double) g * (x[off + i] - mean);
        }
        sums[at] += a;
        sums[at + 1] += b;
    }

    public static void gradientSumsReference(float[] dy, float[] y, float[] x, int off, int len, float mean,
                                             boolean relu, double[] sums) {
        for (int i = off; i < off + len; i++) {
            float g = relu && y[i] <= 0f ? 0f : dy[i];
            sums[0] += g;
            sums[1] += (double) g * (x[i] - mean);
        }
    }

    /** dx = g·scale + (x − mean)·a + b, with g as in {@link #gradientSums}. */
    public static void inputGradient(float[] dy, float[] y, float[] x, float[] dx, int off, int len, float mean,
                                     float scale, float a, float b, boolean relu) {
        FloatVector m = FloatVector.broadcast(S, mean), sc = FloatVector.broadcast(S, scale);
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b), zero = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector g = FloatVector.fromArray(S, dy, off + i);
            if (relu) {
                g = g.blend(zero, FloatVector.fromArray(S, y, off + i).compare(VectorOperators.LE, 0f));
            }
            FloatVector.fromArray(S, x, off + i).sub(m).fma(av, bv).add(g.mul(sc)).intoArray(dx, off + i);
        }
        for (; i < len; i++) {
            float g = relu && y[off + i] <= 0f ? 0f : dy[off + i];
            dx[off + i] = Math.fma(x[off + i] - mean, a, b) + g * scale;
        }
    }

    public static void inputGradientReference(float[] dy, float[] y, float[] x, float[] dx, int off, int len,
                                              float mean, float scale, float a, float b, boolean relu) {
        for (int i = off; i < off + len; i++) {
            float g = relu && y[i] <= 0f ? 0f : dy[i];
            dx[i] = (float) ((double) (x[i] - mean) * a + b + (double) g * scale);
        }
    }
}
