package dev.googlenet.tensor;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shape arithmetic shared by layers and file readers. */
public final class Shape {
    private Shape() {
    }

    public static long size(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + toString(shape));
            }
            n *= d;
        }
        return n;
    }

    public static String toString(int... shape) {
        return Arrays.stream(shape).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    /**
     * Output length of a sliding window (convolution or pooling) along one axis, as PyTorch computes it.
     * In ceil mode the last window may hang over the end, but must start inside the input or its left padding.
     */
    public static int pooledSize(int in, int kernel, int stride, int pad, boolean ceil) {
        int span = in + 2 * pad - kernel;
        if (span < 0) {
            throw new IllegalArgumentException(
                    "window " + kernel + " larger than input " + in + " with padding " + pad);
        }
        int out = (ceil ? Math.ceilDiv(span, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (long) (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    /** Checks that {@code t} is [N, channels, H, W]; names the layer in the error. */
    public static void requireNchw(Tensor t, int channels, String who) {
        requireNchw(t.shape(), channels, who);
    }

    /** Checks that {@code shape} is [N, channels, H, W] with no empty dimension; names the layer in the error. */
    public static void requireNchw(int[] shape, int channels, String who) {
        if (shape.length != 4 || shape[1] != channels || shape[0] < 1 || shape[2] < 1 || shape[3] < 1) {
            throw new IllegalArgumentException(
                    who + ": expected input [N," + channels + ",H,W], got " + toString(shape));
        }
    }
}
