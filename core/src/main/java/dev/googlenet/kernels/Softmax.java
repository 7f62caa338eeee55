package dev.googlenet.kernels;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Softmax, log-softmax and log-sum-exp: the one implementation shared by the loss, test-time averaging, the
 * classifier and the ONNX runner, so that they cannot drift apart.
 *
 * <p>Numerically stable: the vector's maximum is subtracted before exponentiating, so no exponential overflows
 * and the largest term is exactly 1 (its sum is at least 1, so the logarithm is finite); differences, exponentials
 * and sums are in double, and each output is rounded to float once. A vector holding NaN gives NaN throughout,
 * as PyTorch does; so does a softmax whose maximum is infinite. {@link #logSumExp} of a vector whose maximum is
 * infinite is that maximum (PyTorch's {@code logsumexp}).
 *
 * <p>A vector is {@code len} values {@code stride} apart (stride 1: a row of a row-major matrix; stride
 * {@code inner}: softmax along a middle axis, as ONNX's opset-13 Softmax does). Input and output may be the same
 * array: each output is written after its input was read for the last time.
 */
public final class Softmax {
    private Softmax() {
    }

    /** {@code y[yOff + j·stride] = exp(x_j − max) / Σ exp(x_k − max)} over {@code x_j = x[xOff + j·stride]}. */
    public static void softmax(float[] x, int xOff, float[] y, int yOff, int len, int stride) {
        if (len == 0) {
            return;
        }
        double max = max(x, xOff, len, stride);
        double sum = sumExp(x, xOff, len, stride, max);
        for (int j = 0; j < len; j++) {
            // recomputed rather than stored: a float store before the division would round twice
            y[yOff + j * stride] = (float) (Math.exp(x[xOff + j * stride] - max) / sum);
        }
    }

    /** {@code y_j = (x_j − max) − log Σ exp(x_k − max)}, the logarithm of {@link #softmax} without its underflow. */
    public static void logSoftmax(float[] x, int xOff, float[] y, int yOff, int len, int stride) {
        if (len == 0) {
            return;
        }
        double max = max(x, xOff, len, stride);
        double logSum = Math.log(sumExp(x, xOff, len, stride, max));
        for (int j = 0; j < len; j++) {
            y[yOff + j * stride] = (float) ((x[xOff + j * stride] - max) - logSum);
        }
    }

    /** {@code log Σ exp(x[off + j])} over one contiguous row of {@code len > 0} values. */
    public static double logSumExp(float[] x, int off, int len) {
        if (len <= 0) {
            throw new IllegalArgumentException("logSumExp of an empty row");
        }
        double max = max(x, off, len, 1);
        if (Double.isInfinite(max)) {
            return max; // exp(x − max) would be NaN; the sum is dominated by the infinite term
        }
        return max + Math.log(sumExp(x, off, len, 1, max));
    }

    /** Softmax of each of {@code rows} contiguous rows of {@code cols} values ({@code y} may be {@code x}). */
    public static void rows(float[] x, float[] y, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            softmax(x, r * cols, y, r * cols, cols, 1);
        }
    }

    /** Log-softmax of each row, as {@link #rows(float[], float[], int, int)}. */
    public static void logRows(float[] x, float[] y, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            logSoftmax(x, r * cols, y, r * cols, cols, 1);
        }
    }

    /** The softmax of each row of {@code logits [N, classes]}, as a new tensor. */
    public static Tensor rows(Tensor logits) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("softmax: expected logits [N,classes], got "
                    + Shape.toString(logits.shape()));
        }
        Tensor p = Tensor.zeros(logits.shape());
        rows(logits.data(), p.data(), logits.dim(0), logits.dim(1));
        return p;
    }

    private static double max(float[] x, int off, int len, int stride) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            float v = x[off + j * stride];
            if (Float.isNaN(v)) {
                return Double.NaN; // every output is NaN then, whatever follows
            }
            max = Math.max(max, v);
        }
        return max;
    }

    private static double sumExp(float[] x, int off, int len, int stride, double max) {
        double sum = 0;
        for (int j = 0; j < len; j++) {
            sum += Math.exp(x[off + j * stride] - max);
        }
        return sum;
    }
}
