package dev.googlenet.explain;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Taps;
import dev.googlenet.model.Variant;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import dev.googlenet.testing.SmallModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The explainer's methods on a small GoogLeNet (28×28, one channel, width 0.125, ten classes; eval mode calibrated so
 * gradients are worth checking), each against its formula written out here from the definition's own forward and
 * backward, or against finite differences. (Parity with PyTorch on the real network: EvalGradientParityTest.)
 */
class ExplainerTest {
    private static GoogLeNet model;
    private static InferencePlan plan;
    private static Explainer explainer;
    private static Tensor x;

    @BeforeAll
    static void setUp() {
        model = SmallModels.calibrated(Variant.TORCHVISION, 10, 21);
        plan = InferencePlan.compile(model);
        explainer = Explainer.of(model, plan);
        x = GradCheck.random(new Random(3), 2, 1, 28, 28);
    }

    /** A and ∂logit[n, cₙ]/∂A at a layer, from one full forward and backward of the definition. */
    private static Tensor[] activationAndGradient(Tensor input, int[] classes, String layer) {
        Taps taps = Taps.of(layer);
        Tensor logits = model.forward(input, taps);
        Tensor g = Tensor.zeros(logits.shape());
        for (int i = 0; i < classes.length; i++) {
            g.data()[i * logits.dim(1) + classes[i]] = 1;
        }
        model.backward(g);
        return new Tensor[] {taps.activation(layer), taps.gradient(layer)};
    }

    /**
     * Grad-CAM++ (Chattopadhyay et al., eq. 19 with the exponential's closed form, as pytorch-grad-cam has it):
     * αₖᵢⱼ = g² / (2g² + Σₐᵦ Aₖₐᵦ · g³), wₖ = Σᵢⱼ αₖᵢⱼ · max(gₖᵢⱼ, 0), map = max(Σₖ wₖ Aₖ, 0); written out here in
     * double, against the explainer, whose activation comes from the plan.
     */
    @Test
    void gradCamPlusPlusIsItsFormula() {
        int[] classes = {3, 7};
        Explainer.Explanation e = explainer.gradCamPlusPlus(x, classes, "inception4c");
        Tensor[] ag = activationAndGradient(x, classes, "inception4c");
        Tensor a = ag[0], g = ag[1];
        int n = a.dim(0), k = a.dim(1), hw = a.dim(2) * a.dim(3);
        double[] expected = new double[n * hw];
        for (int img = 0; img < n; img++) {
            for (int c = 0; c < k; c++) {
                int base = (img * k + c) * hw;
                double sumA = 0;
                for (int p = 0; p < hw; p++) {
                    sumA += a.data()[base + p];
                }
                double w = 0;
                for (int p = 0; p < hw; p++) {
                    double gv = g.data()[base + p];
                    double denominator = 2 * gv * gv + sumA * gv * gv * gv;
                    double alpha = gv == 0 ? 0 : gv * gv / (denominator + 1e-6);
                    w += alpha * Math.max(gv, 0);
                }
                for (int p = 0; p < hw; p++) {
                    expected[img * hw + p] += w * a.data()[base + p];
                }
            }
        }
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.max(expected[i], 0);
        }
        assertArrayEquals(new int[] {2, 7, 7}, e.map().shape());
        assertTrue(Arrays.stream(expected).max().orElseThrow() > 0, "a map that is not all zeros");
        assertClose(expected, e.map().data(), 1e-4, "Grad-CAM++");
        assertArrayEquals(Heatmaps.heatmap(e.map(), 28, 28).data(), e.heatmap().data());
    }

    /** Grad-CAM from the plan's activation equals Grad-CAM from the definition's, at every layer it is asked for. */
    @Test
    void gradCamThroughThePlanEqualsTheDefinitions() {
        for (String layer : new String[] {"inception3b", "inception4c", "inception5b"}) {
            Explainer.Explanation e = explainer.gradCam(x, null, layer);
            Tensor[] ag = activationAndGradient(x, e.classes(), layer);
            Tensor reference = GradCam.gradCam(ag[0], ag[1]).map();
            double[] ref = new double[reference.size()];
            for (int i = 0; i < ref.length; i++) {
                ref[i] = reference.data()[i];
            }
            assertClose(ref, e.map().data(), 1e-4, "Grad-CAM at " + layer);
        }
    }

    /**
     * SmoothGrad (Smilkov et al. 2017): M(x) = 1/n Σᵢ ∇logit_c(x + εᵢ), εᵢ ~ N(0, σ²), σ = 0.2·(max − min) of the
     * image, the noise drawn as documented (one Random, copy by copy, pixel by pixel); the gradients from the
     * definition. The map of a one-channel image is |M|.
     */
    @Test
    void smoothGradIsTheMeanGradientOverNoisyCopies() {
        int samples = 4;
        double sigma = 0.2;
        Explainer.Explanation e = explainer.smoothGrad(x, null, samples, sigma, 99);
        Random noise = new Random(99);
        int per = 28 * 28;
        double[] expected = new double[2 * per];
        for (int img = 0; img < 2; img++) {
            float[] pixels = Arrays.copyOfRange(x.data(), img * per, (img + 1) * per);
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (float v : pixels) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            double sd = sigma * (max - min);
            for (int s = 0; s < samples; s++) {
                float[] noisy = new float[per];
                for (int p = 0; p < per; p++) {
                    noisy[p] = (float) (pixels[p] + sd * noise.nextGaussian());
                }
                model.forward(Tensor.of(noisy, 1, 1, 28, 28));
                Tensor g = Tensor.zeros(1, 10);
                g.data()[e.classes()[img]] = 1;
                float[] grad = model.backward(g).data();
                for (int p = 0; p < per; p++) {
                    expected[img * per + p] += grad[p] / samples;
                }
            }
        }
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.abs(expected[i]);
        }
        assertClose(expected, e.map().data(), 1e-5, "SmoothGrad");
        // and the noise matters: with σ = 0 one sample is plain saliency, which differs from the average
        Explainer.Explanation plain = explainer.smoothGrad(x, e.classes(), 1, 0, 99);
        float[] saliency = explainer.saliency(x, e.classes()).map().data();
        double[] sal = new double[saliency.length];
        for (int i = 0; i < sal.length; i++) {
            sal[i] = saliency[i];
        }
        assertClose(sal, plain.map().data(), 1e-5, "SmoothGrad at σ 0, one sample: saliency");
        assertTrue(maxAbsDiff(plain.map().data(), e.map().data()) > 1e-3 * max(e.map().data()));
    }

    /**
     * The input gradient against the change of the class logit it predicts: along the gradient's own direction
     * (the largest pixel moved by 0.01 and by 0.03; smaller moves drown in float32 rounding of the logit), f(x + d) − f(x) against ∫ ∇f · d over the segment
     * (64 gradients), f the class logit. Across a segment the logit's ReLU kinks bend the integrand, which the
     * midpoint rule follows to 10⁻³ with 64 points (to 10⁻² with 16). (EvalGradientTest checks the definition's backward pixel by pixel by
     * central differences; this is the explainer's use of it.)
     */
    @Test
    void inputGradientMatchesTheChangeOfTheLogit() {
        Tensor one = Tensor.of(Arrays.copyOf(x.data(), 28 * 28), 1, 1, 28, 28);
        Explainer.InputGradient ig = explainer.inputGradient(one, null);
        int c = ig.classes()[0];
        assertEquals(plan.logits(one).get(0, c), ig.scores()[0], 1e-4);
        for (double move : new double[] {0.01, 0.03}) {
            Tensor d = GradCheck.along(Tensor.zeros(1, 1, 28, 28), ig.gradient(), move / maxAbs(ig.gradient()));
            double err = GradCheck.pathError(one, d, t -> model.forward(t).get(0, c),
                    t -> explainer.inputGradient(t, new int[] {c}).gradient(), 64);
            System.out.printf("FD explainer input gradient, pixels moved ≤ %.3f: path relative error %.2e%n", move, err);
            assertTrue(err < 3e-3, "moved " + move + ": relative error " + err);
        }
    }

    static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.data()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** CAM at the last Inception output is Σₖ fc.weight[c, k]·Aₖ, and its mean over positions the logit minus the bias. */
    @Test
    void camAveragesToTheLogitWithoutItsBias() {
        Explainer.Explanation e = explainer.cam(x, new int[] {2, 5});
        float[] bias = model.namedParameters().get("fc.bias").value().data();
        Tensor logits = plan.logits(x);
        int hw = e.map().dim(1) * e.map().dim(2);
        for (int img = 0; img < 2; img++) {
            double mean = 0;
            for (int p = 0; p < hw; p++) {
                mean += e.map().data()[img * hw + p] / (double) hw;
            }
            int c = e.classes()[img];
            assertEquals(logits.get(img, c) - bias[c], mean, 1e-4);
            assertEquals(logits.get(img, c), e.scores()[img], 1e-4);
        }
    }

    /**
     * Occlusion: each pixel's value is the mean drop of the logit over the patches covering it; checked against
     * occluded copies run here one at a time. Patch 12, stride 8 on 28: positions 0, 8, 16 (16 + 12 = 28 flush).
     */
    @Test
    void occlusionRecordsTheDropOfTheClassScore() {
        assertArrayEquals(new int[] {0, 8, 16}, Occlusion.positions(28, 12, 8));
        assertArrayEquals(new int[] {0, 10, 18}, Occlusion.positions(28, 10, 10), "a last patch flush with the edge");
        assertArrayEquals(new int[] {0}, Occlusion.positions(28, 28, 5));
        Tensor one = Tensor.of(Arrays.copyOfRange(x.data(), 28 * 28, 2 * 28 * 28), 1, 1, 28, 28);
        Explainer.Explanation e = explainer.occlusion(one, null, 12, 8, 0.5f);
        int c = e.classes()[0];
        float base = plan.logits(one).get(0, c);
        double[][] drop = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                Tensor occluded = one.copy();
                for (int y = 8 * i; y < 8 * i + 12; y++) {
                    Arrays.fill(occluded.data(), y * 28 + 8 * j, y * 28 + 8 * j + 12, 0.5f);
                }
                drop[i][j] = base - plan.logits(occluded).get(0, c);
            }
        }
        // pixel (0,0): patch (0,0) alone; (9,9): patches (0,0),(0,1),(1,0),(1,1); (27,27): (2,2) alone
        assertEquals(drop[0][0], e.map().data()[0], 1e-4);
        assertEquals((drop[0][0] + drop[0][1] + drop[1][0] + drop[1][1]) / 4, e.map().data()[9 * 28 + 9], 1e-4);
        assertEquals(drop[2][2], e.map().data()[27 * 28 + 27], 1e-4);
        assertTrue(Math.abs(drop[1][1]) > 1e-4, "occluding the middle changes the score");
    }

    /**
     * Branch contributions split each module's output by channel range; at inception5b the gradient of the logit
     * is fc.weight[c]/positions everywhere (average pool, then the classifier), so Σ gradient × activation over the
     * four branches is exactly the logit minus its bias.
     */
    @Test
    void branchContributionsAddUpToTheModulesTotals() {
        Tensor one = Tensor.of(Arrays.copyOf(x.data(), 28 * 28), 1, 1, 28, 28);
        BranchContributions.Result r = explainer.branches(one, 4);
        assertEquals(9, r.modules().size());
        assertEquals("inception3a", r.modules().getFirst().name());
        BranchContributions.Module last = r.modules().getLast();
        assertEquals("inception5b", last.name());
        double total = Arrays.stream(last.gradTimesActivation()).sum();
        float bias = model.namedParameters().get("fc.bias").value().data()[4];
        assertEquals(r.score() - bias, total, 1e-4);
        Tensor[] ag = activationAndGradient(one, new int[] {4}, "inception4c");
        BranchContributions.Module m4c = r.modules().get(4);
        int hw = ag[0].dim(2) * ag[0].dim(3);
        int from = m4c.channels()[0] + m4c.channels()[1]; // the 5×5 branch's channels start here
        double energy = 0;
        for (int i = from * hw; i < (from + m4c.channels()[2]) * hw; i++) {
            energy += (double) ag[0].data()[i] * ag[0].data()[i];
        }
        assertEquals(energy, m4c.energy()[2], 1e-6 * energy);
        for (BranchContributions.Module m : r.modules()) {
            assertEquals(1, Arrays.stream(m.energyShare()).sum(), 1e-9, m.name());
            assertEquals(1, Arrays.stream(m.gradTimesActivationShare()).map(Math::abs).sum(), 1e-9, m.name());
        }
    }

    @Test
    void badRequestsAreOneClearError() {
        var layer = assertThrows(IllegalArgumentException.class, () -> explainer.gradCam(x, null, "inception9z"));
        assertTrue(layer.getMessage().contains("unknown layer 'inception9z'"), layer.getMessage());
        var cls = assertThrows(IllegalArgumentException.class, () -> explainer.cam(x, new int[] {1, 10}));
        assertTrue(cls.getMessage().contains("class 10 out of range"), cls.getMessage());
        assertThrows(IllegalArgumentException.class, () -> explainer.saliency(Tensor.zeros(1, 3, 28, 28), null));
        assertThrows(IllegalArgumentException.class, () -> Explainer.Method.parse("lime"));
        assertEquals(Explainer.Method.GRADCAM_PLUS_PLUS, Explainer.Method.parse("gradcam++"));
    }

    static void assertClose(double[] expected, float[] actual, double relTol, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = relTol * scale;
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]
                        + " (±" + tol + ")");
            }
        }
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double max(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
