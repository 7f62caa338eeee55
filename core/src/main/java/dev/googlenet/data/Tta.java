package dev.googlenet.data;

import dev.googlenet.kernels.Softmax;
import dev.googlenet.tensor.Tensor;

import java.util.List;

/**
 * Test-time augmentation: several crops of one image go through the model together and their softmax
 * probabilities are averaged.
 */
public final class Tta {
    private Tta() {
    }

    /** Which crops to take. */
    public enum Mode {
        /** Resize + center crop: the plain evaluation transform. */
        CENTER(1),
        /** torchvision's {@code TenCrop} of the resized image. */
        TEN(10),
        /** The paper's 144 crops at scales 256/288/320/352 (for a 224 crop). */
        PAPER_144(144);

        private final int crops;

        Mode(int crops) {
            this.crops = crops;
        }

        public int crops() {
            return crops;
        }
    }

    /** The crops of a decoded image for {@code mode}, each {@code p.crop()} square. */
    public static List<RgbImage> crops(RgbImage img, Preprocess p, Mode mode) {
        return switch (mode) {
            case CENTER -> List.of(ImageTensors.evalCrop(img, p));
            case TEN -> Crops.tenCrop(ImageResize.resizeShorterSide(img, p.resize()), p.crop());
            case PAPER_144 -> Crops.paperCrops(img, p.crop(), paperScales(p));
        };
    }

    /**
     * The paper's scales 256/288/320/352 for its 224 crop; for another crop size they are scaled by
     * {@code crop / 224} (rounded), so the crop covers the same fraction of the image.
     */
    public static int[] paperScales(Preprocess p) {
        int[] s = Crops.PAPER_SCALES.clone();
        if (p.crop() != 224) {
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.round(s[i] * p.crop() / 224f);
            }
        }
        return s;
    }

    /**
     * The mean over rows of the softmax of each row of {@code logits [k, classes]}: the class probabilities of
     * one image averaged over its {@code k} crops.
     */
    public static float[] softmaxAverage(Tensor logits) {
        if (logits.rank() != 2 || logits.dim(0) == 0 || logits.dim(1) == 0) {
            throw new IllegalArgumentException("need logits [crops, classes], got " + logits);
        }
        int k = logits.dim(0);
        int classes = logits.dim(1);
        float[] x = logits.data();
        double[] sum = new double[classes];
        float[] p = new float[classes];
        for (int r = 0; r < k; r++) {
            Softmax.softmax(x, r * classes, p, 0, classes, 1);
            for (int j = 0; j < classes; j++) {
                sum[j] += p[j];
            }
        }
        float[] out = new float[classes];
        for (int j = 0; j < classes; j++) {
            out[j] = (float) (sum[j] / k);
        }
        return out;
    }
}
