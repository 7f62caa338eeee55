package dev.googlenet.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise kernels over large arrays, in parallel chunks, with plain references for the tests. */
public final class Elementwise {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements per task: large enough to amortize the hand-off, small enough to split a 1-image layer. */
    private static final int CHUNK = 1 << 15;

    private Elementwise() {
    }

    /** y = max(x, 0). */
    public static void relu(float[] x, float[] y, int n) {
        chunks(n, (from, to) -> {
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

    /** dx = dy where y > 0, else 0. */
    public static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        chunks(n, (from, to) -> {
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

    /** a += b. */
    public static void addInPlace(float[] a, float[] b, int n) {
        chunks(n, (from, to) -> {
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

    /** Σ a[off..off+len). Vector lanes in float over one plane, the total in double. */
    public static double sum(float[] a, int off, int len) {
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

    /** Σ (a − mean)² over a[off..off+len). */
    public static double sumSquaredDeviations(float[] a, int off, int len, float mean) {
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

    /** Σ a·b over [off, off+len) of both. */
    public static double dot(float[] a, float[] b, int off, int len) {
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

    /** y = x·scale + shift over [off, off+len). */
    public static void affine(float[] x, float[] y, int off, int len, float scale, float shift) {
        FloatVector sc = FloatVector.broadcast(S, scale), sh = FloatVector.broadcast(S, shift);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, off + i).fma(sc, sh).intoArray(y, off + i);
        }
        for (; i < len; i++) {
            y[off + i] = x[off + i] * scale + shift;
        }
    }

    /** d += a·s over [off, off+len). */
    public static void fmaInPlace(float[] d, float[] a, int off, int len, float s) {
        FloatVector sv = FloatVector.broadcast(S, s);
        int i = 0;
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, off + i).fma(sv, FloatVector.fromArray(S, d, off + i)).intoArray(d, off + i);
        }
        for (; i < len; i++) {
            d[off + i] += a[off + i] * s;
        }
    }

    interface Range {
        void run(int from, int to);
    }

    private static void chunks(int n, Range body) {
        int tasks = Math.max(1, (n + CHUNK - 1) / CHUNK);
        if (tasks == 1) {
            body.run(0, n);
            return;
        }
        Parallel.get().parallelFor(tasks, t -> body.run(t * CHUNK, Math.min(n, (t + 1) * CHUNK)));
    }
}
