package dev.googlenet.kernels;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * 3×3, stride 1, padding 1 convolution of NCHW float32 images by Winograd's minimal filtering F(m×m, 3×3), for
 * inference: m = 4 (6×6 tiles, 4× fewer multiplies than direct convolution) or m = 2 (4×4 tiles, 2.25×).
 * With the vector kernels {@link VectorWinograd3x3} runs it (its phases, threading and accuracy are described
 * there); results are bitwise identical across runs and thread counts. The scalar kernels convolve directly
 * instead ({@link Conv3x3Reference}, the definition Winograd is tested against).
 *
 * <p>Memory: U holds α² floats per filter, 16/9 (F2) or 4 (F4) times the 3×3 weights; at batch 1 a layer's U
 * is streamed from memory once per image, which makes F4 bandwidth-bound on small images with many channels.
 *
 * <p>Use from a convolution layer (3×3, stride 1, padding 1 only): pick the tile with
 * {@link #suggestedTile(int, int, int, int, int)} once the image size is known, keep
 * {@link #transformWeights(float[], int, int, int, int)}'s result until the weights change (e.g. keyed on the
 * weight tensor's version), and call {@link #forward} per image (or {@link #forwardBatch}) with the image's
 * offset and the output slice (channel offset, total channels), bias and ReLU fused.
 */
public final class Winograd3x3 {
    private Winograd3x3() {
    }

    /**
     * A transformed filter bank: with the vector kernels U[ξ][ci][co] for α² Winograd points in panels of 64 output
     * channels ({@code [panel][ξ][ci][64]}), output channels padded with zeros to whole vectors; with the scalar
     * ones the plain 3×3 filters {@code [co][ci][3][3]} (flipped already for an input gradient), which they convolve
     * directly. Not changed after it is made, unless handed back to
     * {@link #transformWeights(Parallel, float[], int, int, int, int, boolean, Weights)} as {@code reuse}.
     */
    public static final class Weights {
        final int tile;
        final int alpha;
        final int cin;
        final int cout;
        final int coPad;
        final float[] u;
        /** True for the scalar kernels' plain filters, false for the vector kernels' U. */
        final boolean plain;

        Weights(int tile, int cin, int cout, int coPad, float[] u, boolean plain) {
            this.tile = tile;
            this.alpha = tile + 2;
            this.cin = cin;
            this.cout = cout;
            this.coPad = coPad;
            this.u = u;
            this.plain = plain;
        }

        /** Whether {@code transformWeights} may rewrite this bank for the given shape. */
        boolean reusableFor(int tile, int cin, int cout, boolean plain) {
            return this.tile == tile && this.cin == cin && this.cout == cout && this.plain == plain;
        }

        /** Output tile size m of F(m×m, 3×3): 2 or 4. */
        public int tile() {
            return tile;
        }

        public int inChannels() {
            return cin;
        }

        public int outChannels() {
            return cout;
        }

        /**
         * Floats held: α²·Cin·Cout rounded up to vectors, 16/9 (m = 2) or 4 (m = 4) times the 3×3 weights (the 3×3
         * weights themselves with the scalar kernels).
         */
        public long size() {
            return u.length;
        }
    }

    /**
     * Which kernel to use for a 3×3/1 convolution of {@code images} h×w images at once: 4 (F(4×4)), 2 (F(2×2)) or
     * 0 (neither: direct convolution does fewer multiplies, as on 1×N images). F(4×4) wins from about 25×25 up (49+
     * of its tiles: arithmetic dominates). On smaller images reading U, which every call streams from memory once
     * (2.25× larger for F(4×4) than for F(2×2)), and the transforms weigh more: F(2×2) wins there, except on 13×13
     * to 24×24 images with 48+ input channels when several images share that one read of U. Measured on GoogLeNet:
     * on a 2-core Zen 4 F(4×4) won at 14×14 even for one image ({@code WinogradThroughput -Dmode=sequence
     * -Dflush.mb=64}); on a 2-core Zen 5, whose FMA units are twice as wide, the network at batch 1 ran 6–8% faster
     * with F(2×2) at 14×14, and level at batch 8 (README, Benchmarks).
     */
    public static int suggestedTile(int images, int cin, int cout, int h, int w) {
        long tiles4 = (long) ((h + 3) / 4) * ((w + 3) / 4);
        long tiles2 = (long) ((h + 1) / 2) * ((w + 1) / 2);
        if (16 * tiles2 >= 9L * h * w) {
            return 0;
        }
        return tiles4 >= 49 || tiles4 >= 16 && cin >= 48 && images > 1 ? 4 : 2;
    }

    /** {@link #transformWeights(float[], int, int, int, int)} with F(4×4, 3×3) and weights at offset 0. */
    public static Weights transformWeights(float[] w, int cout, int cin) {
        return transformWeights(w, 0, cout, cin, 4);
    }

    /**
     * Transforms weights in PyTorch layout {@code w[co][ci][3][3]} (from {@code wOff}) for F(tile×tile, 3×3),
     * tile 2 or 4. Done once per weight version by the caller; the result is read-only and shareable.
     */
    public static Weights transformWeights(float[] w, int wOff, int cout, int cin, int tile) {
        return transformWeights(Parallel.get(), w, wOff, cout, cin, tile, false, null);
    }

    /**
     * As {@link #transformWeights(float[], int, int, int, int)}, for training, where the weights change every step:
     * {@code flipped} gives the filters of the input gradient's convolution ({@code dX = conv(dY, W')},
     * {@code W'[ci][co]} = {@code W[co][ci]} turned by 180°: cin outputs from cout inputs), and a {@code reuse}
     * of the same shape (may be null) is rewritten in place and returned instead of allocating.
     */
    public static Weights transformWeights(Parallel pool, float[] w, int wOff, int cout, int cin, int tile,
                                           boolean flipped, Weights reuse) {
        if (tile != 2 && tile != 4) {
            throw new IllegalArgumentException("Winograd tile must be 2 or 4, not " + tile);
        }
        if (cout <= 0 || cin <= 0) {
            throw new IllegalArgumentException("channels must be positive: cout=" + cout + " cin=" + cin);
        }
        Objects.checkFromIndexSize(wOff, (long) cout * cin * 9 > Integer.MAX_VALUE ? -1 : cout * cin * 9,
                w.length);
        if (Kernels.VECTOR) {
            return VectorWinograd3x3.transformWeights(pool, w, wOff, cout, cin, tile, flipped, reuse);
        }
        return plainWeights(w, wOff, cout, cin, tile, flipped, reuse);
    }

    /**
     * The scalar kernels' "transform": the filters copied as they are ({@code flipped}: the input gradient's,
     * {@code W'[ci][co] = W[co][ci]} turned by 180°), for {@link Conv3x3Reference}.
     */
    static Weights plainWeights(float[] w, int wOff, int cout, int cin, int tile, boolean flipped, Weights reuse) {
        int in = flipped ? cout : cin, out = flipped ? cin : cout;
        Weights u = reuse != null && reuse.reusableFor(tile, in, out, true) ? reuse
                : new Weights(tile, in, out, out, new float[out * in * 9], true);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int k = 0; k < 9; k++) {
                    u.u[(o * in + i) * 9 + k] = flipped ? w[wOff + (i * cin + o) * 9 + 8 - k]
                            : w[wOff + (o * cin + i) * 9 + k];
                }
            }
        }
        return u;
    }

    /**
     * One image on the engine pool: {@code out[outOff + (outChannelOffset + co)·h·w + y·w + x] =
     * act(bias[co] + Σ_ci,i,j x[xOff + ci·h·w + (y+i-1)·w + (x+j-1)] · w[co][ci][i][j])}, i.e. channels
     * {@code [outChannelOffset, outChannelOffset + cout)} of the image whose base in an
     * {@code [N, outTotalChannels, h, w]} tensor is {@code outOff}. {@code bias} may be null; {@code relu} clamps
     * at zero after the bias.
     */
    public static void forward(float[] x, int xOff, int cin, int h, int w, Weights u, float[] bias, boolean relu,
                               float[] out, int outOff, int outTotalChannels, int outChannelOffset) {
        forward(Parallel.get(), x, xOff, cin, h, w, u, bias, relu, out, outOff, outTotalChannels, outChannelOffset);
    }

    /**
     * {@link #forward(float[], int, int, int, int, Weights, float[], boolean, float[], int, int, int)} on a given
     * pool (a one-thread pool makes it single-threaded).
     */
    public static void forward(Parallel pool, float[] x, int xOff, int cin, int h, int w, Weights u, float[] bias,
                               boolean relu, float[] out, int outOff, int outTotalChannels, int outChannelOffset) {
        check(x, xOff, 1, cin, h, w, u, bias, out, outOff, outTotalChannels, outChannelOffset);
        if (Kernels.VECTOR) {
            VectorWinograd3x3.forward(pool, x, xOff, h, w, u, bias, relu, out, outOff, outChannelOffset);
        } else {
            Conv3x3Reference.forward(x, xOff, cin, h, w, u.u, u.cout, bias, relu, out, outOff, outTotalChannels,
                    outChannelOffset);
        }
    }

    /**
     * One image's {@link #forward} as work that threads share: every thread that runs the returned task claims
     * parts of the convolution (a group of tiles for a panel of output channels) until none is left, so a thread
     * busy with other work first joins late and takes less. The output is {@code forward}'s bit for bit, whoever
     * computes which part; each thread that takes a part transforms the whole input for itself. For a convolution
     * that runs beside other work (Inception's branches, one image on several threads). With the scalar kernels
     * the first thread computes it all.
     */
    public static Runnable shared(float[] x, int xOff, int cin, int h, int w, Weights u, float[] bias, boolean relu,
                                  float[] out, int outOff, int outTotalChannels, int outChannelOffset) {
        check(x, xOff, 1, cin, h, w, u, bias, out, outOff, outTotalChannels, outChannelOffset);
        if (Kernels.VECTOR) {
            return VectorWinograd3x3.shared(x, xOff, h, w, u, bias, relu, out, outOff, outChannelOffset);
        }
        AtomicBoolean taken = new AtomicBoolean();
        return () -> {
            if (taken.compareAndSet(false, true)) {
                Conv3x3Reference.forward(x, xOff, cin, h, w, u.u, u.cout, bias, relu, out, outOff, outTotalChannels,
                        outChannelOffset);
            }
        };
    }

    /**
     * {@code n} images: image i at {@code x[i·cin·h·w]}, its output channels at
     * {@code out[(i·outTotalChannels + outChannelOffset)·h·w]}. Images run in parallel, each on one thread; on
     * small maps a few images to a task, their tiles multiplied together, so that the filters are read once for
     * them all (a single image, or a one-thread pool, parallelizes inside the image instead).
     */
    public static void forwardBatch(Parallel pool, float[] x, int n, int cin, int h, int w, Weights u, float[] bias,
                                    boolean relu, float[] out, int outTotalChannels, int outChannelOffset) {
        check(x, 0, n, cin, h, w, u, bias, out, 0, outTotalChannels, outChannelOffset);
        if (Kernels.VECTOR) {
            VectorWinograd3x3.forwardBatch(pool, x, n, cin, h, w, u, bias, relu, out, outTotalChannels,
                    outChannelOffset);
        } else {
            int inImage = cin * h * w, outImage = outTotalChannels * h * w;
            pool.parallelFor(n, i -> Conv3x3Reference.forward(x, i * inImage, cin, h, w, u.u, u.cout, bias, relu, out,
                    i * outImage, outTotalChannels, outChannelOffset));
        }
    }

    /**
     * {@link #forwardBatch(Parallel, float[], int, int, int, int, Weights, float[], boolean, float[], int, int)} on
     * the engine pool.
     */
    public static void forwardBatch(float[] x, int n, int cin, int h, int w, Weights u, float[] bias, boolean relu,
                                    float[] out, int outTotalChannels, int outChannelOffset) {
        forwardBatch(Parallel.get(), x, n, cin, h, w, u, bias, relu, out, outTotalChannels, outChannelOffset);
    }

    private static void check(float[] x, int xOff, int n, int cin, int h, int w, Weights u, float[] bias,
                              float[] out, int outOff, int outTotal, int outChannelOffset) {
        if (u.plain == Kernels.VECTOR) {
            throw new IllegalArgumentException("Winograd weights made for the " + (u.plain ? "scalar" : "vector")
                    + " kernels, but the engine runs the " + (Kernels.VECTOR ? "vector" : "scalar") + " ones");
        }
        if (u.cin != cin) {
            throw new IllegalArgumentException("weights take " + u.cin + " input channels, not " + cin);
        }
        if (h <= 0 || w <= 0 || n < 0) {
            throw new IllegalArgumentException("invalid input size " + n + "x" + cin + "x" + h + "x" + w);
        }
        if (outChannelOffset < 0 || outChannelOffset + u.cout > outTotal) {
            throw new IllegalArgumentException("output channels [" + outChannelOffset + ", "
                    + (outChannelOffset + u.cout) + ") do not fit in " + outTotal);
        }
        if (bias != null && bias.length < u.cout) {
            throw new IllegalArgumentException("bias has " + bias.length + " values for " + u.cout + " channels");
        }
        long hw = (long) h * w;
        if (xOff < 0 || xOff + n * cin * hw > x.length) {
            throw new IllegalArgumentException("input array too small");
        }
        if (outOff < 0 || outOff + n * outTotal * hw > out.length) {
            throw new IllegalArgumentException("output array too small");
        }
    }
}
