package dev.googlenet.model;

import java.util.Objects;

/**
 * How to build a {@link GoogLeNet}. Built DJL-style: {@code setVariant} is required, {@code opt*} are optional.
 *
 * @param variant     paper or torchvision architecture
 * @param numClasses  classifier outputs (1000 for ImageNet)
 * @param auxHeads    whether the two auxiliary classifiers exist (they only run in training)
 * @param dropout     dropout before the main classifier
 * @param auxDropout  dropout inside the auxiliary classifiers (0.7 in the paper)
 * @param seed        seed of weight initialization and dropout masks
 * @param batchNorm   whether convolutions are followed by BatchNorm (and then have no bias); defaults to the
 *                    variant's choice. {@code false} with the torchvision variant is its topology with BatchNorm
 *                    folded into biased convolutions, as {@code torch.onnx.export} writes it.
 */
public record GoogLeNetConfig(Variant variant, int numClasses, boolean auxHeads, float dropout, float auxDropout,
                              long seed, boolean batchNorm) {

    /** The variant's own BatchNorm choice. */
    public GoogLeNetConfig(Variant variant, int numClasses, boolean auxHeads, float dropout, float auxDropout,
                           long seed) {
        this(variant, numClasses, auxHeads, dropout, auxDropout, seed, variant.batchNorm());
    }

    public GoogLeNetConfig {
        Objects.requireNonNull(variant, "variant");
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
        if (!(dropout >= 0 && dropout < 1) || !(auxDropout >= 0 && auxDropout < 1)) {
            throw new IllegalArgumentException("dropout rates must be in [0,1)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Variant variant;
        private int numClasses = 1000;
        private boolean auxHeads = true;
        private Float dropout;
        private float auxDropout = 0.7f;
        private long seed = 0;
        private Boolean batchNorm;

        public Builder setVariant(Variant variant) {
            this.variant = variant;
            return this;
        }

        public Builder optNumClasses(int numClasses) {
            this.numClasses = numClasses;
            return this;
        }

        public Builder optAuxHeads(boolean auxHeads) {
            this.auxHeads = auxHeads;
            return this;
        }

        /** Defaults to the variant's own rate (0.4 paper, 0.2 torchvision). */
        public Builder optDropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        public Builder optAuxDropout(float auxDropout) {
            this.auxDropout = auxDropout;
            return this;
        }

        public Builder optSeed(long seed) {
            this.seed = seed;
            return this;
        }

        /** BatchNorm after each convolution (convolutions then have no bias); defaults to the variant's choice. */
        public Builder optBatchNorm(boolean batchNorm) {
            this.batchNorm = batchNorm;
            return this;
        }

        public GoogLeNetConfig build() {
            if (variant == null) {
                throw new IllegalStateException("setVariant(...) is required");
            }
            return new GoogLeNetConfig(variant, numClasses, auxHeads,
                    dropout != null ? dropout : variant.dropout(), auxDropout, seed,
                    batchNorm != null ? batchNorm : variant.batchNorm());
        }
    }
}
