package dev.googlenet.train;

import dev.googlenet.nn.Param;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Stochastic gradient descent with momentum and weight decay, with PyTorch's semantics
 * ({@code torch.optim.SGD}, dampening 0): {@code g = grad + wd·p; buf = momentum·buf + g} (buf = g on the
 * first step); {@code p -= lr·buf}, or {@code p -= lr·(g + momentum·buf)} with Nesterov.
 * <p>
 * Weight decay applies to the parameters {@code decays} accepts: all of them by default, or only weights
 * ({@link #weightsOnly()}), leaving biases and BatchNorm's scale and shift undecayed. The momentum buffers can be
 * read and restored, for checkpoints.
 */
public final class Sgd {
    private final List<Param> params;
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;
    private final Predicate<Param> decays;
    private final Map<Param, float[]> momentumBuffers = new IdentityHashMap<>();
    private final Map<Param, Float> learningRateFactors = new IdentityHashMap<>();
    private float learningRate;

    public Sgd(List<Param> params, float learningRate, float momentum, float weightDecay, boolean nesterov) {
        this(params, learningRate, momentum, weightDecay, nesterov, p -> true);
    }

    /** As above; weight decay applies only to the parameters {@code decays} accepts. */
    public Sgd(List<Param> params, float learningRate, float momentum, float weightDecay, boolean nesterov,
               Predicate<Param> decays) {
        this.params = List.copyOf(params);
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.decays = decays;
    }

    /** Weight decay on {@link Param.Kind#WEIGHT} only: not on biases, not on BatchNorm parameters. */
    public static Predicate<Param> weightsOnly() {
        return p -> p.kind() == Param.Kind.WEIGHT;
    }

    public List<Param> params() {
        return params;
    }

    public float learningRate() {
        return learningRate;
    }

    public void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    public float momentum() {
        return momentum;
    }

    public float weightDecay() {
        return weightDecay;
    }

    public boolean nesterov() {
        return nesterov;
    }

    /** Whether weight decay applies to {@code p}. */
    public boolean decays(Param p) {
        return decays.test(p);
    }

    /** The live momentum buffer of {@code p}, or null before its first step (or without momentum). */
    public float[] momentumBuffer(Param p) {
        return momentumBuffers.get(p);
    }

    /** Restores {@code p}'s momentum buffer (copied); null forgets it, so the next step starts it afresh. */
    public void setMomentumBuffer(Param p, float[] values) {
        if (values == null) {
            momentumBuffers.remove(p);
            return;
        }
        if (values.length != p.value().size()) {
            throw new IllegalArgumentException("momentum buffer of " + values.length + " values for a parameter of "
                    + p.value().size());
        }
        momentumBuffers.put(p, values.clone());
    }

    /**
     * Multiplies {@code p}'s learning rate by {@code factor} from now on (discriminative learning rates: a
     * pretrained backbone learns slower than a new head).
     */
    public void setLearningRateFactor(Param p, float factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("learning-rate factor must be positive, got " + factor);
        }
        learningRateFactors.put(p, factor);
    }

    /** The factor of {@code p}'s learning rate (1 unless set). */
    public float learningRateFactor(Param p) {
        return learningRateFactors.getOrDefault(p, 1f);
    }

    public void zeroGrad() {
        params.forEach(Param::zeroGrad);
    }

    public void step() {
        for (Param p : params) {
            float[] w = p.value().data(), g = p.grad().data();
            float wd = decays.test(p) ? weightDecay : 0f;
            float[] buf = momentumBuffers.get(p);
            float lr = learningRate * learningRateFactor(p);
            boolean first = buf == null;
            if (first && momentum != 0f) {
                buf = new float[w.length];
                momentumBuffers.put(p, buf);
            }
            for (int i = 0; i < w.length; i++) {
                float d = wd == 0f ? g[i] : g[i] + wd * w[i];
                if (momentum != 0f) {
                    buf[i] = first ? d : momentum * buf[i] + d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                w[i] -= lr * d;
            }
            p.value().markChanged();
        }
    }
}
