package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API bodies of {@link BatchNormKernels} (loaded only when the vector kernels run). */
final class VectorBatchNorm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorBatchNorm() {
    }

    static void normalize(float[] x, float[] y, int off, int len, float mean, float scale, float shift,
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

    static void gradientSums(float[] dy, float[] y, float[] x, int off, int len, float mean, boolean relu,
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
        double a = VectorElementwise.lanes(sg), b = VectorElementwise.lanes(sgx);
        for (; i < len; i++) {
            float g = relu && y[off + i] <= 0f ? 0f : dy[off + i];
            a += g;
            b += (double) g * (x[off + i] - mean);
        }
        sums[at] += a;
        sums[at + 1] += b;
    }

    static void inputGradient(float[] dy, float[] y, float[] x, float[] dx, int off, int len, float mean,
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
}
