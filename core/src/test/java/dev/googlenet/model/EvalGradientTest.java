package dev.googlenet.model;

import dev.googlenet.nn.BatchNorm2d;
import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import dev.googlenet.testing.Randomize;
import dev.googlenet.testing.SmallModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backward after an eval-mode forward (BatchNorm on running statistics, dropout off): the input gradient by
 * finite differences, a tap's gradient, what a backward must leave alone, and a BatchNorm-carrying ConvBlock's
 * parameter gradients (frozen-BN fine-tuning uses them). The model is the small-input GoogLeNet (28×28, one
 * channel, width 0.125), whose BatchNorm running statistics are first moved by training forwards so that eval
 * mode is a different function from training mode.
 * <p>
 * Finite differences of a float32 network 22 layers deep are coarse. Its thousands of ReLUs and max pools put kinks
 * closer than 10⁻⁴ to almost any input (the analytic gradient itself changes by a few per cent within that
 * distance), and float32 rounding moves the loss by ~10⁻⁷, which swamps steps much smaller. So a pixel's numeric
 * derivative is the median of central differences at four steps (kinks or rounding spoil one or two, rarely the
 * middle ones), measured against the gradient's largest element, and allowed 3% of it. The tight checks are two
 * others: the change of the loss along the gradient's direction against the integral of the analytic gradient
 * along that path (no kink spoils it; {@link #path}), and the training-mode backward of the same function
 * ({@link #evalBackwardEqualsTrainingBackwardOfTheSameFunction}), which must agree to float rounding.
 */
class EvalGradientTest {
    private static final int CLASSES = 10;
    /** Steps of the central differences (the input's values are in [-1, 1)). */
    private static final double[] STEPS = {3e-3, 1e-3, 3e-4, 1e-4};
    /** Points of the midpoint rule and the loss change along a path (see {@link #path}). */
    private static final int PATH_POINTS = 16;
    private static final double PATH_CHANGE = 1e-3;

    /** {@link SmallModels#calibrated} with this test's ten classes. */
    static GoogLeNet calibrated(Variant variant, long seed) {
        return SmallModels.calibrated(variant, CLASSES, seed);
    }

    /** L = Σ r·logits, in double, from an eval-mode forward. */
    private static double loss(GoogLeNet model, Tensor x, Tensor r) {
        return dot(model.forward(x), r);
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (int i = 0; i < a.size(); i++) {
            s += (double) a.data()[i] * b.data()[i];
        }
        return s;
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.data()[i]));
        }
        return m;
    }

    /**
     * Central difference of {@code loss} in element {@code i} of {@code t} with step h, divided by the steps
     * actually taken (x ± h rounded to float), in double.
     */
    private static double central(Tensor t, int i, double h, DoubleSupplier loss) {
        float[] v = t.data();
        float saved = v[i];
        v[i] = (float) (saved + h);
        double up = (double) v[i] - saved;
        t.markChanged();
        double plus = loss.getAsDouble();
        v[i] = (float) (saved - h);
        double down = saved - (double) v[i];
        t.markChanged();
        double minus = loss.getAsDouble();
        v[i] = saved;
        t.markChanged();
        return (plus - minus) / (up + down);
    }

    /** The median (for an even count, the mean of the middle two). */
    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
    }

    /**
     * The path check: the change of the loss between the ends of the segment x ± h·d (rounded to float) and the
     * integral of the analytic gradient along it, by the midpoint rule at {@link #PATH_POINTS} points, as
     * {change, integral}. By the fundamental theorem of calculus the two agree for a piecewise-smooth function
     * whatever kinks the segment crosses (a central difference compares the change with the gradient at x alone,
     * which any kink within the step spoils); the midpoint rule errs by a fraction of each crossed kink's jump.
     */
    private static double[] path(Tensor x, double[] d, double h, LossAt loss,
                                 Function<Tensor, Tensor> gradient) {
        Tensor plus = x.copy(), minus = x.copy();
        for (int p = 0; p < x.size(); p++) {
            if (d[p] != 0) {
                plus.data()[p] = (float) (x.data()[p] + h * d[p]);
                minus.data()[p] = (float) (x.data()[p] - h * d[p]);
            }
        }
        double change = loss.at(plus) - loss.at(minus), integral = 0;
        for (int k = 0; k < PATH_POINTS; k++) {
            double t = (k + 0.5) / PATH_POINTS;
            Tensor at = x.copy();
            for (int p = 0; p < x.size(); p++) {
                if (d[p] != 0) {
                    at.data()[p] = (float) (minus.data()[p] + t * ((double) plus.data()[p] - minus.data()[p]));
                }
            }
            Tensor gk = gradient.apply(at);
            for (int p = 0; p < x.size(); p++) {
                integral += (double) gk.data()[p] * ((double) plus.data()[p] - minus.data()[p]) / PATH_POINTS;
            }
        }
        return new double[] {change, integral};
    }

    /**
     * {@link #path} along the analytic gradient g restricted to {@code region}, with h such that the loss changes by
     * {@link #PATH_CHANGE} (large against its float32 rounding, ~10⁻⁷): change / integral − 1. Along g the check sees
     * the component of an error along g at first order (the rest at second), so it complements the per-pixel
     * central differences rather than replacing them.
     */
    private static double pathErrorAlongGradient(Tensor x, Tensor g, boolean[] region, LossAt loss,
                                                 Function<Tensor, Tensor> gradient) {
        double[] d = new double[x.size()];
        double norm = 0;
        for (int p = 0; p < x.size(); p++) {
            if (region[p]) {
                d[p] = g.data()[p];
                norm += d[p] * d[p];
            }
        }
        assertTrue(norm > 0, "the gradient vanishes on the region");
        double[] ci = path(x, d, PATH_CHANGE / norm, loss, gradient); // h·‖g‖² = the change
        return ci[0] / ci[1] - 1;
    }

    @FunctionalInterface
    private interface LossAt {
        double at(Tensor x);
    }

    /** Every element of image {@code n} of a [N,C,H,W] tensor, as a mask. */
    private static boolean[] image(int[] shape, int n) {
        int per = shape[1] * shape[2] * shape[3];
        boolean[] m = new boolean[shape[0] * per];
        Arrays.fill(m, n * per, (n + 1) * per, true);
        return m;
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void inputGradientMatchesFiniteDifferences(Variant variant) {
        GoogLeNet model = calibrated(variant, 5);
        Random rnd = new Random(7);
        Tensor x = GradCheck.random(rnd, 2, 1, 28, 28);
        Tensor r = GradCheck.random(rnd, 2, CLASSES);
        model.forward(x);
        Tensor dx = model.backward(r.copy()).copy();
        double scale = maxAbs(dx);
        assertTrue(scale > 1e-4, variant + ": the input gradient is not negligible (" + scale + ")");

        // a handful of pixels: the four with the largest gradient and four at random
        Integer[] order = new Integer[x.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Float.compare(Math.abs(dx.data()[b]), Math.abs(dx.data()[a])));
        List<Integer> pixels = new ArrayList<>(List.of(order[0], order[1], order[2], order[3]));
        while (pixels.size() < 8) {
            int i = rnd.nextInt(x.size());
            if (!pixels.contains(i)) {
                pixels.add(i);
            }
        }
        Function<Tensor, Tensor> gradient = xx -> {
            model.forward(xx);
            return model.backward(r.copy());
        };
        double worstCentral = 0;
        for (int i : pixels) {
            double[] numeric = new double[STEPS.length];
            for (int s = 0; s < STEPS.length; s++) {
                numeric[s] = central(x, i, STEPS[s], () -> loss(model, x, r));
            }
            double n = median(numeric), central = Math.abs(dx.data()[i] - n) / scale;
            System.out.printf("FD %s input pixel %d analytic %.5e central %.5e (median of %s) error/max|g| %.2e%n",
                    variant, i, dx.data()[i], n, Arrays.toString(numeric), central);
            worstCentral = Math.max(worstCentral, central);
        }
        double worstDirection = 0;
        for (int img = 0; img < 2; img++) {
            double err = pathErrorAlongGradient(x, dx, image(x.shape(), img), xx -> loss(model, xx, r),
                    gradient);
            System.out.printf("FD %s input image %d: path along the gradient, relative error %.2e%n", variant, img,
                    err);
            worstDirection = Math.max(worstDirection, Math.abs(err));
        }
        System.out.printf("FD %s input gradient (max|g| %.3e): worst pixel by central differences %.2e of max|g|, "
                + "worst path along the gradient %.2e%n", variant, scale, worstCentral, worstDirection);
        assertTrue(worstCentral <= 3e-2, variant + ": central differences off by " + worstCentral + " of max|g|");
        assertTrue(worstDirection <= 5e-3, variant + ": the path along the gradient off by " + worstDirection);
    }

    /**
     * The gradient a tap records is the one that flows into that stage's output: running the layers after
     * inception3b on its recorded activation, and their backward, gives it bit for bit (the stage before, 3a, has
     * 256·w channels to 3b's 480·w, so recording at the wrong end cannot pass). That gradient is then checked by
     * finite differences of the remaining layers along its own direction.
     */
    @Test
    void tapGradientIsTheGradientOfTheRemainingLayers() {
        GoogLeNet model = calibrated(Variant.TORCHVISION, 6);
        Random rnd = new Random(8);
        Tensor x = GradCheck.random(rnd, 2, 1, 28, 28);
        Tensor r = GradCheck.random(rnd, 2, CLASSES);
        Taps taps = Taps.of("inception3b");
        Tensor logits = model.forward(x, taps);
        model.backward(r.copy());
        Tensor activation = taps.activation("inception3b"), tapped = taps.gradient("inception3b");
        assertArrayEquals(activation.shape(), tapped.shape());
        assertEquals(60, tapped.dim(1), "inception3b's 480 channels at width 0.125");

        List<Layer> tail = model.trunk().layers().subList(model.trunk().names().indexOf("inception3b") + 1,
                model.trunk().layers().size());
        Tensor y = activation.copy();
        for (Layer layer : tail) {
            y = layer.forward(y, false);
        }
        assertArrayEquals(logits.data(), Arrays.copyOf(y.data(), y.size()), "the tail reproduces the logits");
        Tensor g = r.copy();
        for (int i = tail.size() - 1; i >= 0; i--) {
            g = tail.get(i).backward(g).copy();
        }
        assertArrayEquals(Arrays.copyOf(g.data(), g.size()), tapped.data(), "tap gradient = the tail's backward");

        LossAt tailLoss = a -> {
            Tensor t = a;
            for (Layer layer : tail) {
                t = layer.forward(t, false);
            }
            return dot(t, r);
        };
        double worst = 0;
        for (int img = 0; img < 2; img++) {
            double err = pathErrorAlongGradient(activation, tapped, image(activation.shape(), img), tailLoss, a -> {
                Tensor t = a;
                for (Layer layer : tail) {
                    t = layer.forward(t, false);
                }
                Tensor gt = r.copy();
                for (int i = tail.size() - 1; i >= 0; i--) {
                    gt = tail.get(i).backward(gt).copy();
                }
                return gt;
            });
            System.out.printf("FD inception3b tap image %d: path along the gradient, relative error %.2e%n", img, err);
            worst = Math.max(worst, Math.abs(err));
        }
        assertTrue(worst <= 5e-3, "tap gradient off along its direction by " + worst);
    }

    /**
     * Eval mode is a pure function of the input: backward leaves the running statistics and the parameters alone
     * (bit for bit), a second forward gives the same logits bit for bit (with or without taps), a second backward
     * the same input gradient, and parameter gradients accumulate (twice one backward's, exactly).
     */
    @Test
    void evalModeBackwardChangesNothingButGradients() {
        GoogLeNet model = calibrated(Variant.TORCHVISION, 9);
        Random rnd = new Random(10);
        Tensor x = GradCheck.random(rnd, 3, 1, 28, 28);
        Tensor r = GradCheck.random(rnd, 3, CLASSES);
        Map<String, float[]> before = snapshot(model);
        model.parameters().forEach(Param::zeroGrad);

        Tensor logits1 = model.forward(x, Taps.of("inception4c", Taps.FEATURES));
        float[] dx1 = model.backward(r.copy()).data().clone();
        Map<String, float[]> grads1 = new LinkedHashMap<>();
        model.namedParameters().forEach((name, p) -> grads1.put(name, p.grad().data().clone()));
        Tensor logits2 = model.forward(x);
        float[] dx2 = model.backward(r.copy()).data().clone();

        assertArrayEquals(logits1.data(), logits2.data(), "eval forward twice: same logits, bit for bit");
        assertArrayEquals(dx1, dx2, "eval backward twice: same input gradient, bit for bit");
        Map<String, float[]> after = snapshot(model);
        for (var e : before.entrySet()) {
            assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " unchanged by eval forward/backward");
        }
        int nonzero = 0;
        for (var e : model.namedParameters().entrySet()) {
            // a GEMM adds its new sum into the gradient in its own order: twice = 2·once up to rounding
            float[] once = grads1.get(e.getKey()), twice = e.getValue().grad().data();
            double max = 0, dev = 0;
            for (int i = 0; i < once.length; i++) {
                max = Math.max(max, Math.abs(once[i]));
                dev = Math.max(dev, Math.abs(twice[i] - 2.0 * once[i]));
                nonzero += once[i] != 0 ? 1 : 0;
            }
            assertTrue(dev <= 1e-6 * max, e.getKey() + " accumulates: off by " + dev + " of max " + max);
        }
        assertTrue(nonzero > 1000, "eval backward fills the parameter gradients (" + nonzero + " non-zero)");
        // the statistics matter: a training forward of the same input gives other logits
        Tensor train = model.forwardTrain(x).main();
        assertNotEquals(logits1.data()[0], train.data()[0], "running and batch statistics differ");
    }

    /** Every parameter and buffer, copied. */
    private static Map<String, float[]> snapshot(GoogLeNet model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((name, t) -> out.put(name, Arrays.copyOf(t.data(), t.size())));
        return out;
    }

    /**
     * The eval-mode backward against an independent path to the same numbers. Paper variant (no BatchNorm; dropout
     * 0): eval and training forward compute the same function, so both backwards must agree. Torchvision variant:
     * eval mode equals a network without BatchNorm whose convolutions carry it folded in (W·γ/σ, bias β − γ·μ/σ),
     * run in training mode; its input gradient must equal ours, and its parameter gradients give ours by the
     * chain rule: ∂L/∂W = ∂L/∂W'·γ/σ, ∂L/∂β = ∂L/∂b', ∂L/∂γ = Σ ∂L/∂W'·W/σ − ∂L/∂b'·μ/σ. Agreement to float
     * rounding (relative 1e-4 in L2; different rounding can flip a rare ReLU sitting on 0).
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void evalBackwardEqualsTrainingBackwardOfTheSameFunction(Variant variant) {
        GoogLeNet model = calibrated(variant, 11);
        GoogLeNet plain = new GoogLeNet(GoogLeNetConfig.builder().setVariant(variant).optNumClasses(CLASSES)
                .optSmallInput(true).optWidth(0.125f).optInputChannels(1).optAuxHeads(false).optDropout(0f)
                .optBatchNorm(false).build());
        Map<String, Tensor> sd = model.stateDict(), target = plain.stateDict();
        Map<String, Double> sigma = new LinkedHashMap<>();
        for (var e : target.entrySet()) {
            String name = e.getKey();
            float[] out = e.getValue().data();
            String bn = name.replace("conv.weight", "bn.").replace("conv.bias", "bn.");
            if (variant == Variant.TORCHVISION && (name.endsWith("conv.weight") || name.endsWith("conv.bias"))) {
                float[] gamma = sd.get(bn + "weight").data(), beta = sd.get(bn + "bias").data();
                float[] mean = sd.get(bn + "running_mean").data(), var = sd.get(bn + "running_var").data();
                float[] w = sd.get(name.replace("conv.bias", "conv.weight")).data();
                int per = w.length / gamma.length;
                for (int o = 0; o < gamma.length; o++) {
                    double s = gamma[o] / Math.sqrt((double) var[o] + Variant.BN_EPS);
                    if (name.endsWith("weight")) {
                        for (int j = 0; j < per; j++) {
                            out[o * per + j] = (float) (w[o * per + j] * s);
                        }
                    } else {
                        out[o] = (float) (beta[o] - mean[o] * s);
                    }
                }
            } else {
                System.arraycopy(sd.get(name).data(), 0, out, 0, out.length);
            }
            e.getValue().markChanged();
        }
        Random rnd = new Random(12);
        Tensor x = GradCheck.random(rnd, 2, 1, 28, 28);
        Tensor r = GradCheck.random(rnd, 2, CLASSES);
        model.parameters().forEach(Param::zeroGrad);
        plain.parameters().forEach(Param::zeroGrad);
        Tensor logits = model.forward(x);
        Tensor dx = model.backward(r.copy()).copy();
        Outputs out = plain.forwardTrain(x);
        double logitErr = relativeL2(logits.data(), out.main().data());
        Tensor dxPlain = plain.backward(new Outputs(r.copy(), null, null)).copy();
        double dxErr = relativeL2(dxPlain.data(), dx.data());

        // parameter gradients: ours, and the ones the chain rule gives from the plain network's
        Map<String, Param> mine = model.namedParameters(), theirs = plain.namedParameters();
        List<Float> ours = new ArrayList<>(), expected = new ArrayList<>();
        for (var e : mine.entrySet()) {
            String name = e.getKey();
            float[] g = e.getValue().grad().data();
            if (variant == Variant.PAPER || name.startsWith("fc.")) {
                add(ours, g);
                add(expected, theirs.get(name).grad().data());
            } else if (name.endsWith("conv.weight")) {
                String bn = name.replace("conv.weight", "bn.");
                float[] gamma = sd.get(bn + "weight").data(), var = sd.get(bn + "running_var").data();
                float[] gw = theirs.get(name).grad().data();
                int per = g.length / gamma.length;
                for (int j = 0; j < g.length; j++) {
                    ours.add(g[j]);
                    expected.add((float) (gw[j] * gamma[j / per] / Math.sqrt((double) var[j / per] + Variant.BN_EPS)));
                }
            } else if (name.endsWith("bn.bias")) {
                add(ours, g);
                add(expected, theirs.get(name.replace("bn.bias", "conv.bias")).grad().data());
            } else if (name.endsWith("bn.weight")) {
                String conv = name.replace("bn.weight", "conv.");
                float[] w = sd.get(conv + "weight").data(), gw = theirs.get(conv + "weight").grad().data();
                float[] gb = theirs.get(conv + "bias").grad().data();
                float[] mean = sd.get(name.replace("weight", "running_mean")).data();
                float[] var = sd.get(name.replace("weight", "running_var")).data();
                int per = w.length / g.length;
                for (int o = 0; o < g.length; o++) {
                    double inv = 1 / Math.sqrt((double) var[o] + Variant.BN_EPS), s = 0;
                    for (int j = 0; j < per; j++) {
                        s += (double) gw[o * per + j] * w[o * per + j];
                    }
                    ours.add(g[o]);
                    expected.add((float) (s * inv - gb[o] * mean[o] * inv));
                }
            } else {
                throw new AssertionError("unexpected parameter " + name);
            }
        }
        double paramErr = relativeL2(toArray(expected), toArray(ours));
        System.out.printf("EVAL-vs-TRAIN %s logits %.2e input gradient %.2e parameter gradients %.2e (%d values)%n",
                variant, logitErr, dxErr, paramErr, ours.size());
        assertTrue(logitErr <= 1e-5, variant + ": the folded network is the same function (" + logitErr + ")");
        assertTrue(dxErr <= 1e-4, variant + ": input gradient " + dxErr);
        assertTrue(paramErr <= 1e-4, variant + ": parameter gradients " + paramErr);
    }

    private static void add(List<Float> to, float[] values) {
        for (float v : values) {
            to.add(v);
        }
    }

    private static float[] toArray(List<Float> values) {
        float[] a = new float[values.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = values.get(i);
        }
        return a;
    }

    /** ‖a − ref‖ / ‖ref‖ in double. */
    private static double relativeL2(float[] ref, float[] a) {
        double diff = 0, norm = 0;
        for (int i = 0; i < ref.length; i++) {
            double d = (double) a[i] - ref[i];
            diff += d * d;
            norm += (double) ref[i] * ref[i];
        }
        return Math.sqrt(diff / norm);
    }

    /**
     * A BatchNorm-carrying ConvBlock in eval mode, L = Σ w·y: ∂L/∂W, ∂L/∂γ, ∂L/∂β and ∂L/∂x, every element, by
     * central differences. Eval mode makes the block piecewise linear in each of them (BN on running statistics is
     * affine), so a central difference is exact up to float rounding unless a ReLU's kink lies within the step;
     * then the kink is on one side only and that side's one-sided difference is exact. An element passes when one
     * of the three matches within 1e-3 of the tensor's largest gradient; a wrong gradient matches on no side.
     */
    @Test
    void convBlockParameterGradientsInEvalModeMatchFiniteDifferences() {
        Random rnd = new Random(13);
        ConvBlock block = new ConvBlock(4, 6, 3, 1, 1, true);
        Randomize.state(block, rnd);
        BatchNorm2d bn = block.bn();
        float[] mean = bn.runningMean().data().clone(), var = bn.runningVar().data().clone();
        Tensor x = GradCheck.random(rnd, 2, 4, 5, 5);
        Tensor w = GradCheck.random(rnd, 2, 6, 5, 5);
        Map<String, Param> params = new LinkedHashMap<>();
        block.visitState("", params::put);
        params.values().forEach(Param::zeroGrad);
        block.forward(x, false);
        Tensor dx = block.backward(w.copy()).copy();
        assertArrayEquals(mean, bn.runningMean().data(), "eval forward/backward leave the running mean");
        assertArrayEquals(var, bn.runningVar().data(), "… and the running variance");

        DoubleSupplier loss = () -> dot(block.forward(x, false), w);
        Map<String, Tensor> values = new LinkedHashMap<>(), grads = new LinkedHashMap<>();
        params.forEach((name, p) -> {
            values.put(name, p.value());
            grads.put(name, p.grad().copy());
        });
        values.put("input", x);
        grads.put("input", dx);
        assertEquals(List.of("conv.weight", "bn.weight", "bn.bias", "input"), List.copyOf(values.keySet()));
        double h = 1e-2;
        for (String name : values.keySet()) {
            Tensor t = values.get(name);
            float[] g = grads.get(name).data();
            double scale = maxAbs(grads.get(name)), worst = 0;
            assertTrue(scale > 0.1, name + ": gradient not negligible");
            double center = loss.getAsDouble();
            for (int i = 0; i < t.size(); i++) {
                float saved = t.data()[i];
                t.data()[i] = (float) (saved + h);
                double up = (double) t.data()[i] - saved;
                t.markChanged();
                double plus = loss.getAsDouble();
                t.data()[i] = (float) (saved - h);
                double down = saved - (double) t.data()[i];
                t.markChanged();
                double minus = loss.getAsDouble();
                t.data()[i] = saved;
                t.markChanged();
                double err = Math.min(Math.abs(g[i] - (plus - minus) / (up + down)),
                        Math.min(Math.abs(g[i] - (plus - center) / up), Math.abs(g[i] - (center - minus) / down)))
                        / scale;
                worst = Math.max(worst, err);
            }
            System.out.printf("FD ConvBlock eval %s: %d elements, worst error %.2e of max|g| %.3e%n", name, t.size(),
                    worst, scale);
            assertTrue(worst <= 1e-3, name + ": off by " + worst + " of max|g|");
        }
    }
}
