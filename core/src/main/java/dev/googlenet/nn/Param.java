package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

/**
 * A trainable tensor and its gradient. Gradients accumulate across backward calls until {@link #zeroGrad()}.
 * {@code decay} tells optimizers whether weight decay may apply (false for biases and norm scales when asked).
 */
public final class Param {
    private final String name;
    private final Tensor value;
    private final Tensor grad;
    private final Kind kind;

    /** What a parameter is, so optimizers can treat weights, biases and normalization parameters differently. */
    public enum Kind { WEIGHT, BIAS, NORM }

    public Param(String name, Tensor value, Kind kind) {
        this.name = name;
        this.value = value;
        this.grad = Tensor.zerosLike(value);
        this.kind = kind;
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public Tensor grad() {
        return grad;
    }

    public Kind kind() {
        return kind;
    }

    public void zeroGrad() {
        grad.fill(0f);
    }

    @Override
    public String toString() {
        return name + value;
    }
}
