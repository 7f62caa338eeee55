package dev.googlenet.testing;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Variant;

import java.util.Random;

/** Small GoogLeNets whose eval mode is a function worth differentiating (gradient and explanation tests). */
public final class SmallModels {
    private SmallModels() {
    }

    /**
     * The small-input GoogLeNet with He-normal convolution weights (std √(2/fan_in)), BatchNorm's affine parameters
     * drawn as in tv_calibrated (γ 0.8–1.2, β ±0.1), and the running statistics moved by 20 training forwards on
     * random batches (88% of the way from their initial 0 and 1). He init keeps a pixel's effect on the loss large
     * against the loss's rounding. With torchvision's std-0.01 init a layer's batch variance is ~10⁻⁴ while the
     * running variance still remembers 12% of its initial 1, so eval mode shrinks every activation and the input
     * gradient vanishes (~10⁻¹⁶); the paper's Xavier init with biases 0.2 leaves gradients of ~4·10⁻³ on a loss of ~2.
     */
    public static GoogLeNet calibrated(Variant variant, int classes, long seed) {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(variant).optNumClasses(classes)
                .optSmallInput(true).optWidth(0.125f).optInputChannels(1).optAuxHeads(false).optSeed(seed).build());
        Random rnd = new Random(seed);
        model.visitState((name, p) -> {
            float[] d = p.value().data();
            if (name.endsWith("conv.weight")) {
                int[] s = p.value().shape();
                double std = Math.sqrt(2.0 / (s[1] * s[2] * s[3]));
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (rnd.nextGaussian() * std);
                }
            } else if (name.endsWith("bn.weight")) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = 0.8f + 0.4f * rnd.nextFloat();
                }
            } else if (name.endsWith("bn.bias")) {
                for (int i = 0; i < d.length; i++) {
                    d[i] = 0.2f * rnd.nextFloat() - 0.1f;
                }
            }
            p.value().markChanged();
        });
        for (int i = 0; i < 20; i++) {
            model.forwardTrain(GradCheck.random(rnd, 8, 1, 28, 28));
        }
        return model;
    }
}
