package dev.googlenet.plan;

/**
 * Which optimizations a plan applies beyond BatchNorm folding and fused bias + ReLU (always on). All on by
 * default; benchmarks and tests turn one off to measure or check what it brings (A/B), users have no reason to.
 *
 * @param stackPointwise Inception's three 1×1 convolutions of its input as one GEMM
 * @param fusePool       a max pool run image group by group just before the 1×1 convolution after it
 * @param winograd       3×3/1 convolutions by Winograd where {@code ConvAlgorithm}'s rule picks it
 * @param sideBySide     one image on several threads: Inception's branches after the 1×1s side by side, not one
 *                       after the other ({@code InceptionStep}); needs Winograd for the 3×3 branch
 * @param packFilters    the GEMM's filters packed once for its micro-kernel ({@code PackedFilters}), not read from
 *                       their rows
 */
public record Fusions(boolean stackPointwise, boolean fusePool, boolean winograd, boolean sideBySide,
                      boolean packFilters) {
    public static final Fusions ALL = new Fusions(true, true, true, true, true);
    public static final Fusions NONE = new Fusions(false, false, false, false, false);
}
