package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API bodies of {@link Elementwise} (loaded only when the vector kernels run). */
final class VectorElementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorElementwise() {
    }

    static void relu(float[] x, float[] y, int n) {
        Elementwise.chunks(n, (from, to) -> {
            FloatVector zero = FloatVector.zero(S);
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, i).max(zero).intoArray(y, i);
            }
            for (; i < to; i++) {
                y[i] = Math.max(x[i], 0f);
            }
        });
    }

    static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        Elementwise.chunks(n, (from, to) -> {
            FloatVector zero = FloatVector.zero(S);
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, y, i);
                FloatVector g = FloatVector.fromArray(S, dy, i);
                zero.blend(g, v.compare(VectorOperators.GT, 0f)).intoArray(dx, i);
            }
            for (; i < to; i++) {
                dx[i] = y[i] > 0f ? dy[i] : 0f;
            }
        });
    }

    static void addInPlace(float[] a, float[] b, int n) {
        Elementwise.chunks(n, (from, to) -> {
            int i = from;
            for (int bound = from + S.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector.fromArray(S, a, i).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
            }
            for (; i < to; i++) {
                a[i] += b[i];
            }
        });
    }

    /**
     * The lanes' sum in a fixed order. {@code reduceLanes(ADD)} may add in another order once compiled than when
     * interpreted, and results must not depend on the JIT's state.
     */
    static double lanes(FloatVector v) {
        double s = 0;
        for (int i = 0; i < S.length(); i++) { // lane by lane: no scratch array to allocate on every call
            s += v.lane(i);
        }
        return s;
    }

    static double sum(float[] a, int off, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, a, off + i));
        }
        double s = lanes(acc);
        for (; i < len; i++) {
            s += a[off + i];
        }
        return s;
    }

    static double sumSquaredDeviations(float[] a, int off, int len, float mean) {
        FloatVector acc = FloatVector.zero(S), m = FloatVector.broadcast(S, mean);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, a, off + i).sub(m);
            acc = d.fma(d, acc);
        }
        double s = lanes(acc);
        for (; i < len; i++) {
            double d = a[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    static double dot(float[] a, float[] b, int off, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, off + i).fma(FloatVector.fromArray(S, b, off + i), acc);
        }
        double s = lanes(acc);
        for (; i < len; i++) {
            s += (double) a[off + i] * b[off + i];
        }
        return s;
    }

    static void affine(float[] x, float[] y, int off, int len, float scale, float shift) {
        FloatVector sc = FloatVector.broadcast(S, scale), sh = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).fma(sc, sh).intoArray(y, off + i);
        }
        for (; i < len; i++) {
            y[off + i] = x[off + i] * scale + shift;
        }
    }

    static void fmaInPlace(float[] d, float[] a, int off, int len, float s) {
        FloatVector sv = FloatVector.broadcast(S, s);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, off + i).fma(sv, FloatVector.fromArray(S, d, off + i)).intoArray(d, off + i);
        }
        for (; i < len; i++) {
            d[off + i] += a[off + i] * s;
        }
    }
}
