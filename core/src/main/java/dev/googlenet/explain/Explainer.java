package dev.googlenet.explain;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;

import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * What a GoogLeNet looks at, for preprocessed images [N, C, H, W] and one class per image (null: each image's
 * top class): CAM, Grad-CAM, Grad-CAM++, saliency, SmoothGrad and occlusion sensitivity.
 * <p>
 * Forward passes run on the compiled {@link InferencePlan}, the fast path: the activation at the explained layer
 * comes from the plan, and only the stages after it run layer by layer through the definition, forward and
 * backward, for the gradient there (at inception5b that is the pooling and the classifier alone). Occlusion runs
 * forward passes only, batched through the plan. Saliency needs the input gradient, so the whole definition runs.
 * <p>
 * Thread-safe: the plan serves any number of threads; the definition keeps per-call buffers, so the gradient part
 * of a call holds a lock on it (calls overlap in their plan part).
 */
public final class Explainer {
    /** The layer explained by default: the last Inception output, where the CAM paper and pytorch-grad-cam look. */
    public static final String DEFAULT_LAYER = "inception5b";
    /** Images per plan call when occluding: the throughput batch of the inference benchmarks. */
    static final int OCCLUSION_BATCH = 32;

    private final GoogLeNet model;
    private final InferencePlan plan;
    private final List<String> gradientLayers;

    private Explainer(GoogLeNet model, InferencePlan plan) {
        this.model = Objects.requireNonNull(model, "model");
        this.plan = Objects.requireNonNull(plan, "plan");
        // layers whose activation both the plan and the definition produce, with spatial maps
        this.gradientLayers = plan.stages().stream().filter(s -> model.trunk().names().contains(s)
                && !s.equals("fc") && !s.equals("avgpool")).toList();
    }

    /** An explainer over a model and the plan compiled from it (same weights). */
    public static Explainer of(GoogLeNet model, InferencePlan plan) {
        return new Explainer(model, plan);
    }

    /** The methods, by their command-line names. */
    public enum Method {
        CAM("cam"), GRADCAM("gradcam"), GRADCAM_PLUS_PLUS("gradcam++"), SALIENCY("saliency"),
        SMOOTHGRAD("smoothgrad"), OCCLUSION("occlusion");

        private final String cliName;

        Method(String cliName) {
            this.cliName = cliName;
        }

        public String cliName() {
            return cliName;
        }

        /** The method called {@code name} on the command line; one line listing the names otherwise. */
        public static Method parse(String name) {
            for (Method m : values()) {
                if (m.cliName.equalsIgnoreCase(name)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown method '" + name + "'; choose one of "
                    + java.util.Arrays.stream(values()).map(Method::cliName).toList());
        }
    }

    /**
     * The knobs of the methods that have any. {@code layer}: Grad-CAM's and Grad-CAM++'s (CAM is always at the last
     * Inception output). SmoothGrad: {@code samples} noisy copies, noise σ = {@code sigma} × (max − min) of each
     * image, from {@code seed}. Occlusion: a {@code patch}×{@code patch} square of {@code fill} (in the model's
     * input space: 0 is the mean pixel when inputs are normalized) every {@code stride} pixels.
     */
    public record Settings(String layer, int samples, double sigma, long seed, int patch, int stride, float fill) {
        /** Grad-CAM at inception5b; SmoothGrad 25 copies at σ 15% (Smilkov et al.'s advice); a 7×7 grid of 32-pixel patches. */
        public static final Settings DEFAULT = new Settings(DEFAULT_LAYER, 25, 0.15, 0, 32, 32, 0f);

        public Settings {
            Objects.requireNonNull(layer, "layer");
            if (samples < 1 || !(sigma >= 0) || patch < 1 || stride < 1) {
                throw new IllegalArgumentException("need samples ≥ 1, sigma ≥ 0, patch ≥ 1 and stride ≥ 1; got "
                        + samples + ", " + sigma + ", " + patch + ", " + stride);
            }
        }

        public Settings withLayer(String l) {
            return new Settings(l, samples, sigma, seed, patch, stride, fill);
        }
    }

    /**
     * One explanation of N images. {@code map} [N, h, w] is the method's raw map at its own resolution (the
     * layer's for the CAMs, the input's for saliency and occlusion); {@code heatmap} [N, H, W] is it brought to the
     * input's size and scaled to [0, 1] per image (what is overlaid); {@code scores} the explained classes' logits.
     */
    public record Explanation(Method method, String layer, int[] classes, float[] scores, Tensor map,
                              Tensor heatmap) {
    }

    /** {@link Method}'s dispatch, for callers that choose the method at run time. */
    public Explanation explain(Method method, Tensor input, int[] classes, Settings s) {
        return switch (method) {
            case CAM -> cam(input, classes);
            case GRADCAM -> gradCam(input, classes, s.layer());
            case GRADCAM_PLUS_PLUS -> gradCamPlusPlus(input, classes, s.layer());
            case SALIENCY -> saliency(input, classes);
            case SMOOTHGRAD -> smoothGrad(input, classes, s.samples(), s.sigma(), s.seed());
            case OCCLUSION -> occlusion(input, classes, s.patch(), s.stride(), s.fill());
        };
    }

    /** Grad-CAM at {@code layer}, upsampled bilinearly to the input and min–max scaled. */
    public Explanation gradCam(Tensor input, int[] classes, String layer) {
        LayerGradient lg = layerGradient(input, classes, layer);
        return camExplanation(Method.GRADCAM, layer, lg, GradCam.gradCam(lg.activation, lg.gradient).map(), input);
    }

    /** Grad-CAM++ at {@code layer} ({@link GradCam#gradCamPlusPlus}). */
    public Explanation gradCamPlusPlus(Tensor input, int[] classes, String layer) {
        LayerGradient lg = layerGradient(input, classes, layer);
        return camExplanation(Method.GRADCAM_PLUS_PLUS, layer, lg,
                GradCam.gradCamPlusPlus(lg.activation, lg.gradient).map(), input);
    }

    /** CAM at the last Inception output, from the classifier's weights: forward only, no gradient. */
    public Explanation cam(Tensor input, int[] classes) {
        requireInput(input);
        Tensor a = plan.activation(input, DEFAULT_LAYER);
        Tensor logits;
        synchronized (model) {
            logits = model.forwardStages(a, DEFAULT_LAYER, null, null);
        }
        int[] c = classes(logits, classes);
        Tensor fc = model.namedParameters().get("fc.weight").value();
        LayerGradient lg = new LayerGradient(a, null, c, scores(logits, c));
        return camExplanation(Method.CAM, DEFAULT_LAYER, lg, GradCam.cam(a, fc, c).map(), input);
    }

    /**
     * Saliency (Simonyan et al. 2014): the gradient of the class logit with respect to the input pixels; the map is
     * its largest absolute value over the channels. {@link #inputGradient} gives the gradient itself.
     */
    public Explanation saliency(Tensor input, int[] classes) {
        InputGradient g = inputGradient(input, classes);
        return pixelExplanation(Method.SALIENCY, g.classes, g.scores, g.gradient);
    }

    /**
     * SmoothGrad (Smilkov et al. 2017): the input gradient averaged over {@code samples} copies of each image with
     * Gaussian noise of σ = {@code sigma} × (max − min of the image) added, for the class the clean image is
     * explained for. Noise comes from {@code new Random(seed)}, copy by copy, pixel by pixel in NCHW order
     * ({@code nextGaussian}), one image after another: one seed, one map.
     */
    public Explanation smoothGrad(Tensor input, int[] classes, int samples, double sigma, long seed) {
        requireInput(input);
        if (samples < 1) {
            throw new IllegalArgumentException("SmoothGrad needs at least 1 sample, got " + samples);
        }
        Tensor clean = plan.logits(input);
        int[] c = classes(clean, classes);
        int n = input.dim(0), per = input.size() / n;
        float[] sum = new float[input.size()];
        Random noise = new Random(seed);
        for (int img = 0; img < n; img++) {
            double sd = sigma * range(input.data(), img * per, per);
            Tensor copy = Tensor.zeros(1, input.dim(1), input.dim(2), input.dim(3));
            double[] acc = new double[per];
            for (int s = 0; s < samples; s++) {
                for (int p = 0; p < per; p++) {
                    copy.data()[p] = (float) (input.data()[img * per + p] + sd * noise.nextGaussian());
                }
                float[] g = inputGradient(copy, new int[] {c[img]}).gradient.data();
                for (int p = 0; p < per; p++) {
                    acc[p] += g[p];
                }
            }
            for (int p = 0; p < per; p++) {
                sum[img * per + p] = (float) (acc[p] / samples);
            }
        }
        return pixelExplanation(Method.SMOOTHGRAD, c, scores(clean, c), Tensor.of(sum, input.shape()));
    }

    /**
     * Occlusion sensitivity (Zeiler and Fergus 2014): a {@code patch}×{@code patch} square of {@code fill} slides
     * over the image every {@code stride} pixels (a last position flush with the far edge when the stride does
     * not reach it), and each position records how much the class logit drops. A pixel's value is the mean drop
     * of the positions that cover it (as Captum's Occlusion reports it). Forward passes only, through the plan, in
     * batches of {@value #OCCLUSION_BATCH}.
     */
    public Explanation occlusion(Tensor input, int[] classes, int patch, int stride, float fill) {
        requireInput(input);
        int n = input.dim(0), ch = input.dim(1), h = input.dim(2), w = input.dim(3), per = ch * h * w;
        if (patch < 1 || stride < 1 || patch > h || patch > w) {
            throw new IllegalArgumentException("occlusion patch " + patch + " (stride " + stride
                    + ") must fit in the " + h + "×" + w + " input");
        }
        int[] ys = Occlusion.positions(h, patch, stride), xs = Occlusion.positions(w, patch, stride);
        Tensor base = plan.logits(input);
        int[] c = classes(base, classes);
        float[] baseScores = scores(base, c);
        float[] map = new float[n * h * w];
        for (int img = 0; img < n; img++) {
            float[] image = java.util.Arrays.copyOfRange(input.data(), img * per, (img + 1) * per);
            float[] drops = Occlusion.drops(plan, image, ch, h, w, ys, xs, patch, fill, c[img], baseScores[img],
                    OCCLUSION_BATCH);
            Occlusion.spread(drops, ys, xs, patch, h, w, map, img * h * w);
        }
        Tensor m = Tensor.of(map, n, h, w);
        return new Explanation(Method.OCCLUSION, "input", c, baseScores, m, Heatmaps.minMaxScale(m));
    }

    /**
     * {@link BranchContributions}: each Inception module's output split by branch, for one image [1, C, H, W] and
     * a class (negative: the top one).
     */
    public BranchContributions.Result branches(Tensor input, int cls) {
        requireInput(input);
        synchronized (model) {
            return BranchContributions.compute(model, input, cls);
        }
    }

    /** The input gradient [N, C, H, W] of each image's class logit, with the classes and their logits. */
    public record InputGradient(int[] classes, float[] scores, Tensor gradient) {
    }

    /** ∂ logit[n, classₙ] / ∂ input, through the whole definition in eval mode. */
    public InputGradient inputGradient(Tensor input, int[] classes) {
        requireInput(input);
        synchronized (model) {
            Tensor logits = model.forward(input);
            int[] c = classes(logits, classes);
            Tensor g = model.backward(oneHot(logits, c));
            return new InputGradient(c, scores(logits, c), g);
        }
    }

    /** A layer's activation and the gradient of each image's class logit there. */
    private record LayerGradient(Tensor activation, Tensor gradient, int[] classes, float[] scores) {
    }

    private LayerGradient layerGradient(Tensor input, int[] classes, String layer) {
        requireInput(input);
        requireLayer(layer);
        Tensor a = plan.activation(input, layer);
        synchronized (model) {
            Tensor logits = model.forwardStages(a, layer, null, null);
            int[] c = classes(logits, classes);
            Tensor g = model.backward(oneHot(logits, c));
            return new LayerGradient(a, g, c, scores(logits, c));
        }
    }

    /** The layers Grad-CAM can explain: the plan's stages that the definition has too, before the pooling. */
    public List<String> layers() {
        return gradientLayers;
    }

    private void requireLayer(String layer) {
        if (!gradientLayers.contains(layer)) {
            throw new IllegalArgumentException("unknown layer '" + layer + "'; Grad-CAM explains one of "
                    + gradientLayers);
        }
    }

    private void requireInput(Tensor input) {
        if (input.rank() != 4 || input.dim(1) != plan.inputChannels() || input.dim(0) < 1) {
            throw new IllegalArgumentException("explain: expected images [N," + plan.inputChannels() + ",H,W], got "
                    + Shape.toString(input.shape()));
        }
    }

    private static Explanation camExplanation(Method m, String layer, LayerGradient lg, Tensor map, Tensor input) {
        return new Explanation(m, layer, lg.classes, lg.scores, map,
                Heatmaps.heatmap(map, input.dim(2), input.dim(3)));
    }

    /** Pixel attributions [N,C,H,W] → the largest |value| over channels [N,H,W], and it min–max scaled. */
    private static Explanation pixelExplanation(Method m, int[] classes, float[] scores, Tensor gradient) {
        int n = gradient.dim(0), ch = gradient.dim(1), hw = gradient.dim(2) * gradient.dim(3);
        float[] g = gradient.data();
        float[] map = new float[n * hw];
        for (int img = 0; img < n; img++) {
            for (int c = 0; c < ch; c++) {
                int base = (img * ch + c) * hw;
                for (int p = 0; p < hw; p++) {
                    map[img * hw + p] = Math.max(map[img * hw + p], Math.abs(g[base + p]));
                }
            }
        }
        Tensor t = Tensor.of(map, n, gradient.dim(2), gradient.dim(3));
        return new Explanation(m, "input", classes, scores, t, Heatmaps.minMaxScale(t));
    }

    /** The given classes (checked against the logits), or each row's argmax when null. */
    static int[] classes(Tensor logits, int[] given) {
        int n = logits.dim(0), k = logits.dim(1);
        if (given == null) {
            int[] top = new int[n];
            for (int i = 0; i < n; i++) {
                for (int j = 1; j < k; j++) {
                    if (logits.get(i, j) > logits.get(i, top[i])) {
                        top[i] = j;
                    }
                }
            }
            return top;
        }
        if (given.length != n) {
            throw new IllegalArgumentException(given.length + " classes for " + n + " images");
        }
        for (int c : given) {
            if (c < 0 || c >= k) {
                throw new IllegalArgumentException("class " + c + " out of range: the model has " + k
                        + " classes (0–" + (k - 1) + ")");
            }
        }
        return given.clone();
    }

    private static float[] scores(Tensor logits, int[] classes) {
        float[] s = new float[classes.length];
        for (int i = 0; i < classes.length; i++) {
            s[i] = logits.get(i, classes[i]);
        }
        return s;
    }

    /** ∂Σₙ logits[n, classₙ] / ∂logits. */
    private static Tensor oneHot(Tensor logits, int[] classes) {
        Tensor g = Tensor.zeros(logits.shape());
        for (int i = 0; i < classes.length; i++) {
            g.data()[i * logits.dim(1) + classes[i]] = 1f;
        }
        return g;
    }

    private static double range(float[] v, int from, int length) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + length; i++) {
            min = Math.min(min, v[i]);
            max = Math.max(max, v[i]);
        }
        return max - min;
    }
}
