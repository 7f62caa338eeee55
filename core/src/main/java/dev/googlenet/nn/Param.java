package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

/**
 * A trainable tensor and its gradient. Gradients accumulate across backward calls until {@link #zeroGrad()}.
 * {@code decay} tells optimizers whether weight decay may apply (false for biases and norm scales when asked).
 */
public final class Param {
    private final String name;
    private final Tensor value;
    private Tensor grad; // made on first use: a model that only runs inference never needs it
    private final Kind kind;

    /** What a parameter is, so optimizers can treat weights, biases and normalization parameters differently. */
    public enum Kind { WEIGHT, BIAS, NORM }

    public Param(String name, Tensor value, Kind kind) {
        this.name = name;
        this.value = value;
        this.kind = kind;
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient (zeros until a backward adds to it); allocated on first use. */
    public Tensor grad() {
        if (grad == null) {
            grad = Tensor.zerosLike(value);
        }
        return grad;
    }

    public Kind kind() {
        return kind;
    }

    public void zeroGrad() {
        if (grad != null) {
            grad.fill(0f);
        }
    }

    @Override
    public String toString() {
        return name + value;
    }
}
