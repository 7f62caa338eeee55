package dev.googlenet.kernels;

/**
 * BatchNorm's per-plane passes, each with the ReLU that follows it optionally fused in, so that a training step
 * reads and writes every activation as few times as possible. One call covers one channel of one image
 * ({@code len} = H·W floats at {@code off}); the {@code *Reference} twins are the plain definitions the tests
 * compare against, and what runs when {@link Kernels} chose the scalar family ({@link VectorBatchNorm} holds the
 * vector bodies).
 */
public final class BatchNormKernels {
    private BatchNormKernels() {
    }

    /** y = (x − mean)·scale + shift, then max(0, ·) when {@code relu}. */
    public static void normalize(float[] x, float[] y, int off, int len, float mean, float scale, float shift,
                                 boolean relu) {
        if (Kernels.VECTOR) {
            VectorBatchNorm.normalize(x, y, off, len, mean, scale, shift, relu);
        } else {
            normalizeReference(x, y, off, len, mean, scale, shift, relu);
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
        if (Kernels.VECTOR) {
            VectorBatchNorm.gradientSums(dy, y, x, off, len, mean, relu, sums, at);
        } else {
            gradientSumsReference(dy, y, x, off, len, mean, relu, sums, at);
        }
    }

    public static void gradientSumsReference(float[] dy, float[] y, float[] x, int off, int len, float mean,
                                             boolean relu, double[] sums) {
        gradientSumsReference(dy, y, x, off, len, mean, relu, sums, 0);
    }

    /** The reference of {@link #gradientSums(float[], float[], float[], int, int, float, boolean, double[], int)}. */
    public static void gradientSumsReference(float[] dy, float[] y, float[] x, int off, int len, float mean,
                                             boolean relu, double[] sums, int at) {
        double a = 0, b = 0;
        for (int i = off; i < off + len; i++) {
            float g = relu && y[i] <= 0f ? 0f : dy[i];
            a += g;
            b += (double) g * (x[i] - mean);
        }
        sums[at] += a;
        sums[at + 1] += b;
    }

    /** dx = g·scale + (x − mean)·a + b, with g as in {@link #gradientSums}. */
    public static void inputGradient(float[] dy, float[] y, float[] x, float[] dx, int off, int len, float mean,
                                     float scale, float a, float b, boolean relu) {
        if (Kernels.VECTOR) {
            VectorBatchNorm.inputGradient(dy, y, x, dx, off, len, mean, scale, a, b, relu);
        } else {
            inputGradientReference(dy, y, x, dx, off, len, mean, scale, a, b, relu);
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
