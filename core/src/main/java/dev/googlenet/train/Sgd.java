package dev.googlenet.train;

import dev.googlenet.nn.Param;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum and weight decay, with PyTorch's semantics
 * ({@code torch.optim.SGD}, dampening 0): {@code g = grad + wd·p; buf = momentum·buf + g} (buf = g on the
 * first step); {@code p -= lr·buf}, or {@code p -= lr·(g + momentum·buf)} with Nesterov.
 */
public final class Sgd {
    private final List<Param> params;
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;
    private final Map<Param, float[]> momentumBuffers = new IdentityHashMap<>();
    private float learningRate;

    public Sgd(List<Param> params, float learningRate, float momentum, float weightDecay, boolean nesterov) {
        this.params = List.copyOf(params);
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public float learningRate() {
        return learningRate;
    }

    public void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    public void zeroGrad() {
        params.forEach(Param::zeroGrad);
    }

    public void step() {
        for (Param p : params) {
            float[] w = p.value().data(), g = p.grad().data();
            float[] buf = momentumBuffers.get(p);
            boolean first = buf == null;
            if (first && momentum != 0f) {
                buf = new float[w.length];
                momentumBuffers.put(p, buf);
            }
            for (int i = 0; i < w.length; i++) {
                float d = g[i] + weightDecay * w[i];
                if (momentum != 0f) {
                    buf[i] = first ? d : momentum * buf[i] + d;
                    d = nesterov ? d + momentum * buf[i] : buf[i];
                }
                w[i] -= learningRate * d;
            }
            p.value().markChanged();
        }
    }
}
