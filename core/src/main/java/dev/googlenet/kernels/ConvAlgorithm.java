package dev.googlenet.kernels;

/**
 * The one rule that picks how a convolution runs: Winograd's F(m×m, 3×3) ({@link Winograd3x3}) or im2col + GEMM
 * ({@link Convolution}). Training's layers and the inference plan both ask here, for the forward pass and for the
 * input gradient (itself a 3×3/1 convolution: of dY with the filters transposed and turned by 180°).
 */
public final class ConvAlgorithm {
    /**
     * Least input channels of the convolution that runs (Cin forward, Cout for the input gradient) for Winograd:
     * with fewer, its transforms cost more than the multiplies saved (measured on the small-input network: 12→36
     * at 14×14 ran faster by GEMM, 24→72 and 36→48 by Winograd; GoogLeNet's smallest, 16→32 at 28×28, by Winograd).
     */
    public static final int WINOGRAD_MIN_CHANNELS = 16;

    private ConvAlgorithm() {
    }

    /** Whether Winograd can run this geometry at all: 3×3, stride 1, padding 1 ("same"). */
    public static boolean winogradShape(int kernelH, int kernelW, int stride, int padding) {
        return kernelH == 3 && kernelW == 3 && stride == 1 && padding == 1;
    }

    /**
     * Winograd's tile (4 for F(4×4), 2 for F(2×2)) for a 3×3/1 "same" convolution of {@code in} channels into
     * {@code out} on {@code images} h×w maps at once, or 0 for im2col + GEMM. Besides enough input channels it
     * takes 16 or more output channels (a 24 → 1 input gradient ran 3.5× slower than by GEMM) and, for the input
     * gradient, maps larger than 4×4 (there it measured 10–20% slower; forward was faster). The tile is
     * {@link Winograd3x3#suggestedTile}.
     */
    public static int winogradTile(int kernelH, int kernelW, int stride, int padding, int images, int in, int out,
                                   int h, int w, boolean inputGradient) {
        if (!winogradShape(kernelH, kernelW, stride, padding) || in < WINOGRAD_MIN_CHANNELS || out < 16
                || inputGradient && h * w <= 16) {
            return 0;
        }
        return Winograd3x3.suggestedTile(images, in, out, h, w);
    }

    /**
     * Whether a 3×3/1 convolution's weight gradient runs by Winograd ({@link WinogradWeightGradient}) rather than
     * im2col + GEMM; only when the input gradient needs no unfolding (it runs by Winograd, or is not needed).
     */
    public static boolean winogradWeightGradient(int kernelH, int kernelW, int stride, int padding, int in, int out) {
        return winogradShape(kernelH, kernelW, stride, padding) && in >= 8 && out >= 16;
    }

    /**
     * F(4×4, 3×3) for the weight gradient: fewer Winograd points than F(2×2) on every GoogLeNet map (7×7: 144
     * against 256 per image), and measured faster or level.
     */
    public static final int WEIGHT_GRADIENT_TILE = 4;
}
