package dev.googlenet.explain;

import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

/**
 * Class activation maps from a layer's activation A [N,K,h,w] (and, for the gradient-weighted ones, the gradient
 * G = ∂y/∂A of the explained score y, of the same shape). Each map is Σₖ wₙₖ·Aₙₖ [N,h,w] for per-image channel
 * weights w [N,K]:
 * <ul>
 * <li>{@link #gradCam Grad-CAM} (Selvaraju et al. 2017): wₙₖ = mean over (h, w) of Gₙₖ, then ReLU;</li>
 * <li>{@link #gradCamPlusPlus Grad-CAM++} (Chattopadhyay et al. 2018): wₙₖ = Σ αᵢⱼ·ReLU(Gᵢⱼ) with αᵢⱼ from the
 *     second and third powers of the gradient (the exp-of-score closed form, as pytorch-grad-cam implements it),
 *     then ReLU;</li>
 * <li>{@link #cam CAM} (Zhou et al. 2016): wₙₖ = fc.weight[classₙ, k], no bias and no ReLU, for a network whose
 *     classifier is one linear layer on the globally averaged activation (GoogLeNet at inception5b).</li>
 * </ul>
 * Sums run in double. The maps are at the layer's resolution; {@link Heatmaps} brings them to the image's.
 */
public final class GradCam {
    /** pytorch-grad-cam's guard against a zero denominator in Grad-CAM++'s α. */
    static final double PLUS_PLUS_EPS = 1e-6;

    private GradCam() {
    }

    /** Channel weights [N,K] and the map [N,h,w] they give. */
    public record Result(Tensor weights, Tensor map) {
    }

    /** Grad-CAM: ReLU(Σₖ mean₍h,w₎(Gₖ)·Aₖ), with its weights. */
    public static Result gradCam(Tensor activation, Tensor gradient) {
        requireSameShape(activation, gradient);
        int n = activation.dim(0), k = activation.dim(1), hw = activation.dim(2) * activation.dim(3);
        float[] g = gradient.data();
        float[] w = new float[n * k];
        for (int i = 0; i < n * k; i++) {
            double s = 0;
            for (int p = 0; p < hw; p++) {
                s += g[i * hw + p];
            }
            w[i] = (float) (s / hw);
        }
        Tensor weights = Tensor.of(w, n, k);
        return new Result(weights, weightedSum(activation, weights, true));
    }

    /**
     * Grad-CAM++ with pytorch-grad-cam's weights: αᵢⱼ = G²ᵢⱼ / (2·G²ᵢⱼ + (Σₐ Aₐ)·G³ᵢⱼ + ε) where G ≠ 0 (else 0),
     * wₖ = Σᵢⱼ αᵢⱼ·ReLU(Gᵢⱼ), map ReLU(Σₖ wₖ·Aₖ). The powers are those of ∂exp(y)/∂A divided by exp(y), which is
     * why only the gradient of the score itself is needed.
     */
    public static Result gradCamPlusPlus(Tensor activation, Tensor gradient) {
        requireSameShape(activation, gradient);
        int n = activation.dim(0), k = activation.dim(1), hw = activation.dim(2) * activation.dim(3);
        float[] a = activation.data(), g = gradient.data();
        float[] w = new float[n * k];
        for (int i = 0; i < n * k; i++) {
            double sumA = 0;
            for (int p = 0; p < hw; p++) {
                sumA += a[i * hw + p];
            }
            double s = 0;
            for (int p = 0; p < hw; p++) {
                double gi = g[i * hw + p];
                if (gi > 0) { // ReLU(G) is zero elsewhere, and α is defined as 0 where G = 0
                    double g2 = gi * gi;
                    s += g2 / (2 * g2 + sumA * g2 * gi + PLUS_PLUS_EPS) * gi;
                }
            }
            w[i] = (float) s;
        }
        Tensor weights = Tensor.of(w, n, k);
        return new Result(weights, weightedSum(activation, weights, true));
    }

    /**
     * CAM for {@code classes[n]} of each image: Σₖ fcWeight[classₙ, k]·Aₙₖ, without the classifier's bias (it
     * would add the same constant to every position) and without ReLU, as Zhou et al. define it.
     */
    public static Result cam(Tensor activation, Tensor fcWeight, int[] classes) {
        requireMaps(activation, "CAM activation");
        int n = activation.dim(0), k = activation.dim(1);
        if (fcWeight.rank() != 2 || fcWeight.dim(1) != k) {
            throw new IllegalArgumentException("CAM: classifier weight must be [classes," + k + "], got "
                    + Shape.toString(fcWeight.shape()));
        }
        if (classes.length != n) {
            throw new IllegalArgumentException("CAM: " + classes.length + " classes for " + n + " images");
        }
        float[] w = new float[n * k];
        for (int img = 0; img < n; img++) {
            int c = classes[img];
            if (c < 0 || c >= fcWeight.dim(0)) {
                throw new IllegalArgumentException("CAM: class " + c + " outside [0, " + fcWeight.dim(0) + ")");
            }
            System.arraycopy(fcWeight.data(), c * k, w, img * k, k);
        }
        Tensor weights = Tensor.of(w, n, k);
        return new Result(weights, weightedSum(activation, weights, false));
    }

    /** Σₖ weights[n,k]·A[n,k] → [N,h,w], clamped at 0 when {@code relu}. */
    public static Tensor weightedSum(Tensor activation, Tensor weights, boolean relu) {
        requireMaps(activation, "activation");
        int n = activation.dim(0), k = activation.dim(1), h = activation.dim(2), wd = activation.dim(3), hw = h * wd;
        if (!weights.hasShape(n, k)) {
            throw new IllegalArgumentException("weights must be [" + n + "," + k + "], got "
                    + Shape.toString(weights.shape()));
        }
        float[] a = activation.data(), w = weights.data();
        float[] out = new float[n * hw];
        double[] acc = new double[hw];
        for (int img = 0; img < n; img++) {
            java.util.Arrays.fill(acc, 0);
            for (int c = 0; c < k; c++) {
                double wc = w[img * k + c];
                int base = (img * k + c) * hw;
                for (int p = 0; p < hw; p++) {
                    acc[p] += wc * a[base + p];
                }
            }
            for (int p = 0; p < hw; p++) {
                out[img * hw + p] = (float) (relu ? Math.max(0, acc[p]) : acc[p]);
            }
        }
        return Tensor.of(out, n, h, wd);
    }

    /** [N,K,h,w] with nothing empty. */
    static void requireMaps(Tensor t, String who) {
        if (t.rank() != 4) {
            throw new IllegalArgumentException(who + ": expected [N,K,h,w], got " + Shape.toString(t.shape()));
        }
        Shape.requireNchw(t, t.dim(1), who);
    }

    private static void requireSameShape(Tensor activation, Tensor gradient) {
        requireMaps(activation, "Grad-CAM activation");
        if (!gradient.hasShape(activation.shape())) {
            throw new IllegalArgumentException("Grad-CAM: gradient " + Shape.toString(gradient.shape())
                    + " does not match activation " + Shape.toString(activation.shape()));
        }
    }
}
