package dev.googlenet.train;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Polyak averaging: an exponential moving average of every parameter and buffer of a model (BatchNorm running
 * statistics included), {@code avg ← d·avg + (1 − d)·value} after each optimizer step. The paper evaluates
 * such an average. With {@code warmup}, the decay is {@code min(decay, (1 + n)/(10 + n))} at update {@code n}, so
 * early averages are not dominated by the random initial weights (TensorFlow's {@code num_updates} rule).
 */
public final class Ema {
    private final double decay;
    private final boolean warmup;
    private final Map<String, Tensor> average = new LinkedHashMap<>();
    private long updates;

    /** Starts the average at the model's current state. */
    public Ema(GoogLeNet model, double decay, boolean warmup) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        this.decay = decay;
        this.warmup = warmup;
        model.stateDict().forEach((name, t) -> average.put(name, t.copy()));
    }

    public double decay() {
        return decay;
    }

    public boolean warmup() {
        return warmup;
    }

    /** Updates so far. */
    public long updates() {
        return updates;
    }

    /** The decay the next update will use. */
    public double currentDecay() {
        return warmup ? Math.min(decay, (1.0 + updates) / (10.0 + updates)) : decay;
    }

    /** Moves the average towards the model's current state. */
    public void update(GoogLeNet model) {
        float d = (float) currentDecay(), rest = 1f - d;
        Map<String, Tensor> live = model.stateDict();
        for (var e : average.entrySet()) {
            float[] avg = e.getValue().data(), v = live.get(e.getKey()).data();
            for (int i = 0; i < avg.length; i++) {
                if (avg[i] != v[i]) { // a frozen value stays exactly itself (d·v + (1 − d)·v may round off it)
                    avg[i] = d * avg[i] + rest * v[i];
                }
            }
        }
        updates++;
    }

    /** The averaged state dict (live tensors, under the model's names). */
    public Map<String, Tensor> stateDict() {
        return average;
    }

    /** Loads the average into {@code model} (a second model of the same configuration, for evaluation). */
    public void copyTo(GoogLeNet model) {
        model.loadStateDict(average);
    }

    /** Restores an average saved with a checkpoint. */
    public void restore(Map<String, Tensor> state, long updates) {
        for (var e : average.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null || src.size() != e.getValue().size()) {
                throw new IllegalArgumentException("EMA state lacks '" + e.getKey() + "' or has another shape");
            }
            System.arraycopy(src.data(), 0, e.getValue().data(), 0, src.size());
        }
        this.updates = updates;
    }
}
