package dev.googlenet.explain;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Inception;
import dev.googlenet.model.InceptionSpec;
import dev.googlenet.model.Taps;
import dev.googlenet.nn.Layer;
import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * How much of each Inception module's output comes from each of its four branches (1×1, 3×3, 5×5 — 3×3 in
 * torchvision's variant —, pool projection) for one image and class. The output is the branches' channels side by
 * side, so any sum over it splits by branch exactly:
 * <ul>
 * <li><b>energy</b>: Σ A² over the branch's channels and positions, as a share of the module's;</li>
 * <li><b>gradient × activation</b>: Σ (∂y/∂A)·A over the branch, y the class logit — the first-order change of y
 *     if the branch's output were switched off (Taylor attribution). It has a sign; its share is the branch's sum
 *     over the sum of the four sums' absolute values, so the shares' magnitudes add up to 1.</li>
 * </ul>
 */
public final class BranchContributions {
    /** The branches in output order. */
    public static final List<String> BRANCHES = List.of("1x1", "3x3", "5x5", "pool");

    private BranchContributions() {
    }

    /** One module's split: raw sums and shares per branch, in {@link #BRANCHES} order. */
    public record Module(String name, int[] channels, double[] energy, double[] energyShare,
                         double[] gradTimesActivation, double[] gradTimesActivationShare) {
    }

    /** The result: the explained class and its logit, then one row per module, 3a … 5b. */
    public record Result(int cls, float score, List<Module> modules) {
    }

    /** The Inception modules of a model, in order, with their (width-scaled) specifications. */
    static List<InceptionSpec> modules(GoogLeNet model) {
        List<InceptionSpec> out = new ArrayList<>();
        for (Layer l : model.trunk().layers()) {
            if (l instanceof Inception inc) {
                out.add(inc.spec());
            }
        }
        return out;
    }

    /**
     * The split for image {@code input [1, C, H, W]} and class {@code cls} (negative: the top class), from one
     * eval-mode forward and backward of the definition. The caller makes sure no other thread uses the model.
     */
    static Result compute(GoogLeNet model, Tensor input, int cls) {
        if (input.rank() != 4 || input.dim(0) != 1) {
            throw new IllegalArgumentException("branch contributions take one image [1,C,H,W]");
        }
        List<InceptionSpec> specs = modules(model);
        Taps taps = Taps.of(specs.stream().map(InceptionSpec::name).toArray(String[]::new));
        Tensor logits = model.forward(input, taps);
        int c = Explainer.classes(logits, cls < 0 ? null : new int[] {cls})[0];
        Tensor g = Tensor.zeros(logits.shape());
        g.data()[c] = 1f;
        model.backward(new dev.googlenet.model.Outputs(g, null, null), false);
        List<Module> rows = new ArrayList<>();
        for (InceptionSpec s : specs) {
            rows.add(split(s, taps.activation(s.name()), taps.gradient(s.name())));
        }
        return new Result(c, logits.get(0, c), List.copyOf(rows));
    }

    /** The four sums of one module from its output A and gradient G [1, K, h, w]. */
    static Module split(InceptionSpec s, Tensor a, Tensor g) {
        int[] channels = {s.c1x1(), s.c3x3(), s.c5x5(), s.poolProj()};
        int hw = a.dim(2) * a.dim(3);
        double[] energy = new double[4], gxa = new double[4];
        int from = 0;
        for (int b = 0; b < 4; b++) {
            for (int i = from * hw; i < (from + channels[b]) * hw; i++) {
                double v = a.data()[i];
                energy[b] += v * v;
                gxa[b] += g.data()[i] * v;
            }
            from += channels[b];
        }
        return new Module(s.name(), channels, energy, shares(energy), gxa, shares(gxa));
    }

    /** Each value over the sum of the absolute values (0s when all are 0). */
    private static double[] shares(double[] v) {
        double total = 0;
        for (double x : v) {
            total += Math.abs(x);
        }
        double[] out = new double[v.length];
        for (int i = 0; i < v.length && total > 0; i++) {
            out[i] = v[i] / total;
        }
        return out;
    }
}
