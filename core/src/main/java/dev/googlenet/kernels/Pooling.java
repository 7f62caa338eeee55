package dev.googlenet.kernels;

/**
 * Max pooling kernels on NCHW planes. {@link #maxPoolReference} is the plain definition (and records where
 * each maximum came from, for backward); {@link #maxPool} is the fast one ({@link VectorPooling} with the vector
 * kernels, else the reference), equal to it bit for bit: planes in parallel, each copied into a −∞-padded buffer
 * where every window tap is a flat offset, so that vectors run over whole planes (several output rows at once)
 * rather than along rows, which on 4×4 to 14×14 maps are shorter than a vector. Separable: row maxima, then
 * column maxima (4 comparisons per output for 3×3 instead of 8), with the argmax carried along.
 * {@link #maxPoolBackward} scatters gradients to the recorded argmax.
 */
public final class Pooling {
    private Pooling() {
    }

    /**
     * Reference: every window clipped to the input (padding is −∞), first maximum wins ties, NaN wins.
     * {@code argmax} (may be null) receives the flat input index of each output's maximum.
     */
    public static void maxPoolReference(float[] in, int planeFrom, int planeTo, int h, int w, int kernel, int stride,
                                        int padding, int oh, int ow, float[] out, int[] argmax) {
        maxPoolReference(in, planeFrom, planeTo, h, w, kernel, stride, padding, oh, ow, out, argmax, 0, oh * ow);
    }

    /** As above with plane p's outputs at {@code outBase + p·planeStride}. */
    static void maxPoolReference(float[] in, int planeFrom, int planeTo, int h, int w, int kernel, int stride,
                                         int padding, int oh, int ow, float[] out, int[] argmax, int outBase,
                                         int planeStride) {
        for (int p = planeFrom; p < planeTo; p++) {
            int inBase = p * h * w;
            int outPlane = outBase + p * planeStride;
            for (int i = 0; i < oh; i++) {
                int h0 = Math.max(i * stride - padding, 0);
                int h1 = Math.min(i * stride - padding + kernel, h);
                for (int j = 0; j < ow; j++) {
                    int w0 = Math.max(j * stride - padding, 0);
                    int w1 = Math.min(j * stride - padding + kernel, w);
                    int best = inBase + h0 * w + w0;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int r = h0; r < h1; r++) {
                        for (int c = w0; c < w1; c++) {
                            float v = in[inBase + r * w + c];
                            if (v > max || Float.isNaN(v)) {
                                max = v;
                                best = inBase + r * w + c;
                            }
                        }
                    }
                    out[outPlane + i * ow + j] = max;
                    if (argmax != null) {
                        argmax[outPlane + i * ow + j] = best;
                    }
                }
            }
        }
    }

    /**
     * Fast max pooling over {@code planes} planes: the same maxima as the reference, bit for bit, and, when
     * {@code argmax} is given, the same indices (first window element holding the maximum; the last NaN for a NaN
     * maximum). Planes run in parallel in chunks. Planes holding a NaN or an infinity go through the reference
     * (NaN and all-−∞ windows are where the vector search below could disagree with it); so do windows that could
     * be empty, which {@link dev.googlenet.tensor.Shape#pooledSize} never produces.
     */
    public static void maxPool(float[] in, int planes, int h, int w, int kernel, int stride, int padding,
                               int oh, int ow, float[] out, int[] argmax) {
        maxPool(Parallel.get(), in, planes, h, w, kernel, stride, padding, oh, ow, out, argmax);
    }

    /** {@link #maxPool(float[], int, int, int, int, int, int, int, int, float[], int[])} on the given pool. */
    public static void maxPool(Parallel pool, float[] in, int planes, int h, int w, int kernel, int stride,
                               int padding, int oh, int ow, float[] out, int[] argmax) {
        boolean vectorizable = vectorizable(h, w, kernel, stride, padding, oh, ow);
        int chunk = Math.max(1, Math.min(planes, 8192 / Math.max(1, h * w) + 1));
        int tasks = (planes + chunk - 1) / chunk;
        pool.parallelFor(tasks, t -> {
            int from = t * chunk, to = Math.min(planes, from + chunk);
            maxPoolChunk(in, from, to, h, w, kernel, stride, padding, oh, ow, out, argmax, 0, oh * ow,
                    vectorizable);
        });
    }

    /**
     * Inference max pooling of planes [planeFrom, planeTo) on the calling thread, plane p's outputs written at
     * {@code out[outOff + (p − planeFrom)·planeStride ...]} ({@code planeStride ≥ oh·ow}; larger, it lays several
     * images out as one GEMM operand, a channel's planes side by side): the maxima of {@link #maxPool}, bit for
     * bit, and nothing written between the planes. For work that pools a few images at a time and uses them while
     * they are in cache (a pool followed by a 1×1 convolution).
     */
    public static void maxPoolPlanes(float[] in, int planeFrom, int planeTo, int h, int w, int kernel, int stride,
                                     int padding, int oh, int ow, float[] out, int outOff, int planeStride) {
        if (planeStride < oh * ow) {
            throw new IllegalArgumentException("maxPoolPlanes: plane stride " + planeStride + " < plane size "
                    + oh * ow);
        }
        maxPoolChunk(in, planeFrom, planeTo, h, w, kernel, stride, padding, oh, ow, out, null,
                outOff - planeFrom * planeStride, planeStride, vectorizable(h, w, kernel, stride, padding, oh, ow));
    }

    /** Whether every window holds an input element, as the band kernel assumes (else: the reference). */
    static boolean vectorizable(int h, int w, int kernel, int stride, int padding, int oh, int ow) {
        return stride >= 1 && padding >= 0 && padding < kernel && oh >= 1 && ow >= 1
                && (oh - 1) * stride - padding < h && (ow - 1) * stride - padding < w;
    }

    /** Planes [from, to), plane p's outputs at {@code outBase + p·planeStride}. */
    private static void maxPoolChunk(float[] in, int from, int to, int h, int w, int kernel, int stride, int padding,
                                     int oh, int ow, float[] out, int[] argmax, int outBase, int planeStride,
                                     boolean vectorizable) {
        if (vectorizable && Kernels.VECTOR) {
            VectorPooling.maxPoolChunk(in, from, to, h, w, kernel, stride, padding, oh, ow, out, argmax, outBase,
                    planeStride);
        } else {
            maxPoolReference(in, from, to, h, w, kernel, stride, padding, oh, ow, out, argmax, outBase, planeStride);
        }
    }

    /**
     * Backward of max pooling: {@code dx[0, planes·inPlaneSize)} = 0, then every {@code gradOut[o]} added at
     * {@code dx[argmax[o]]} (added, since overlapping windows can pick the same input). {@code argmax} holds flat
     * input indices as {@link #maxPool} writes them, each inside its own plane; planes run in parallel in chunks,
     * each summing in output order, so the result does not depend on the thread count.
     *
     * @throws IllegalArgumentException if an index lies outside its own plane (it would race with another chunk)
     */
    public static void maxPoolBackward(float[] gradOut, int[] argmax, int planes, int outPlaneSize, int inPlaneSize,
                                       float[] dx) {
        maxPoolBackward(Parallel.get(), gradOut, argmax, planes, outPlaneSize, inPlaneSize, dx);
    }

    /** {@link #maxPoolBackward(float[], int[], int, int, int, float[])} on the given pool. */
    public static void maxPoolBackward(Parallel pool, float[] gradOut, int[] argmax, int planes, int outPlaneSize,
                                       int inPlaneSize, float[] dx) {
        int chunk = Math.max(1, Math.min(planes, 8192 / Math.max(1, inPlaneSize + outPlaneSize) + 1));
        int tasks = (planes + chunk - 1) / chunk;
        pool.parallelFor(tasks, t -> {
            int from = t * chunk, to = Math.min(planes, from + chunk);
            java.util.Arrays.fill(dx, from * inPlaneSize, to * inPlaneSize, 0f);
            for (int p = from; p < to; p++) {
                int lo = p * inPlaneSize, hi = lo + inPlaneSize;
                for (int o = p * outPlaneSize, end = o + outPlaneSize; o < end; o++) {
                    int a = argmax[o];
                    if (a < lo || a >= hi) { // a stray index would also race with another task's plane
                        throw new IllegalArgumentException("argmax[" + o + "] = " + a + " lies outside its plane");
                    }
                    dx[a] += gradOut[o];
                }
            }
        });
    }
}
