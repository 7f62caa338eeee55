package dev.googlenet.model;

import java.util.Locale;

/**
 * The two weight-compatible GoogLeNets users meet. {@link #PAPER} follows the paper and Caffe's BVLC model;
 * {@link #TORCHVISION} follows {@code torchvision.models.googlenet}, which deviates from the paper where noted.
 */
public enum Variant {
    /** Biased convolutions, LRN after pool1 and conv3, a real 5×5 branch, 3×3/2 pool4, 7×7 average pool. */
    PAPER(false, 5, true, 0.4f),
    /** Convolutions without bias + BatchNorm(eps 1e-3), 3×3 kernel in the "5×5" branch, 2×2/2 pool4, no LRN. */
    TORCHVISION(true, 3, false, 0.2f);

    /** torchvision's BatchNorm2d(eps=0.001). */
    public static final float BN_EPS = 1e-3f;

    private final boolean batchNorm;
    private final int branch3Kernel;
    private final boolean lrn;
    private final float dropout;

    Variant(boolean batchNorm, int branch3Kernel, boolean lrn, float dropout) {
        this.batchNorm = batchNorm;
        this.branch3Kernel = branch3Kernel;
        this.lrn = lrn;
        this.dropout = dropout;
    }

    public boolean batchNorm() {
        return batchNorm;
    }

    /** Kernel of the third branch's second convolution: 5 in the paper, 3 in torchvision. */
    public int branch3Kernel() {
        return branch3Kernel;
    }

    public boolean lrn() {
        return lrn;
    }

    /** Dropout before the classifier: 0.4 in the paper, 0.2 in torchvision. */
    public float dropout() {
        return dropout;
    }

    /** Parses "paper" / "torchvision" (any case), naming the choices on error. */
    public static Variant parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown variant '" + s + "': use paper or torchvision");
        }
    }
}
