package dev.googlenet.kernels;

/**
 * Element-wise kernels over large arrays: the vector ones ({@link VectorElementwise}) in parallel chunks, or the
 * plain references beside each ({@code *Reference}), as {@link Kernels} chose.
 */
public final class Elementwise {
    /** Elements per task: large enough to amortize the hand-off, small enough to split a 1-image layer. */
    private static final int CHUNK = 1 << 15;

    private Elementwise() {
    }

    /** y = max(x, 0). */
    public static void relu(float[] x, float[] y, int n) {
        if (Kernels.VECTOR) {
            VectorElementwise.relu(x, y, n);
        } else {
            reluReference(x, y, n);
        }
    }

    public static void reluReference(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] = Math.max(x[i], 0f);
        }
    }

    /** dx = dy where y > 0, else 0. */
    public static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        if (Kernels.VECTOR) {
            VectorElementwise.reluBackward(y, dy, dx, n);
        } else {
            reluBackwardReference(y, dy, dx, n);
        }
    }

    public static void reluBackwardReference(float[] y, float[] dy, float[] dx, int n) {
        for (int i = 0; i < n; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    /** a += b. */
    public static void addInPlace(float[] a, float[] b, int n) {
        if (Kernels.VECTOR) {
            VectorElementwise.addInPlace(a, b, n);
        } else {
            addInPlaceReference(a, b, n);
        }
    }

    public static void addInPlaceReference(float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            a[i] += b[i];
        }
    }

    /** Σ a[off..off+len). The vector kernel sums lanes in float over one plane, the total in double. */
    public static double sum(float[] a, int off, int len) {
        return Kernels.VECTOR ? VectorElementwise.sum(a, off, len) : sumReference(a, off, len);
    }

    /** {@link #sum} in double throughout. */
    public static double sumReference(float[] a, int off, int len) {
        double s = 0;
        for (int i = off; i < off + len; i++) {
            s += a[i];
        }
        return s;
    }

    /** Σ (a − mean)² over a[off..off+len). */
    public static double sumSquaredDeviations(float[] a, int off, int len, float mean) {
        return Kernels.VECTOR ? VectorElementwise.sumSquaredDeviations(a, off, len, mean)
                : sumSquaredDeviationsReference(a, off, len, mean);
    }

    /** {@link #sumSquaredDeviations} in double throughout. */
    public static double sumSquaredDeviationsReference(float[] a, int off, int len, float mean) {
        double s = 0;
        for (int i = off; i < off + len; i++) {
            double d = a[i] - mean;
            s += d * d;
        }
        return s;
    }

    /** Σ a·b over [off, off+len) of both. */
    public static double dot(float[] a, float[] b, int off, int len) {
        return Kernels.VECTOR ? VectorElementwise.dot(a, b, off, len) : dotReference(a, b, off, len);
    }

    /** {@link #dot} in double throughout. */
    public static double dotReference(float[] a, float[] b, int off, int len) {
        double s = 0;
        for (int i = off; i < off + len; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** y = x·scale + shift over [off, off+len). */
    public static void affine(float[] x, float[] y, int off, int len, float scale, float shift) {
        if (Kernels.VECTOR) {
            VectorElementwise.affine(x, y, off, len, scale, shift);
        } else {
            affineReference(x, y, off, len, scale, shift);
        }
    }

    public static void affineReference(float[] x, float[] y, int off, int len, float scale, float shift) {
        for (int i = off; i < off + len; i++) {
            y[i] = x[i] * scale + shift;
        }
    }

    /** d += a·s over [off, off+len). */
    public static void fmaInPlace(float[] d, float[] a, int off, int len, float s) {
        if (Kernels.VECTOR) {
            VectorElementwise.fmaInPlace(d, a, off, len, s);
        } else {
            fmaInPlaceReference(d, a, off, len, s);
        }
    }

    public static void fmaInPlaceReference(float[] d, float[] a, int off, int len, float s) {
        for (int i = off; i < off + len; i++) {
            d[i] += a[i] * s;
        }
    }

    interface Range {
        void run(int from, int to);
    }

    /** [0, n) in chunks of {@link #CHUNK} over the engine pool (inline when one chunk covers it). */
    static void chunks(int n, Range body) {
        int tasks = Math.max(1, (n + CHUNK - 1) / CHUNK);
        if (tasks == 1) {
            body.run(0, n);
            return;
        }
        Parallel.get().parallelFor(tasks, t -> body.run(t * CHUNK, Math.min(n, (t + 1) * CHUNK)));
    }
}
