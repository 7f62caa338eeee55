package dev.googlenet.model;

import dev.googlenet.tensor.Tensor;

/** What a training forward returns: the main logits and those of the two auxiliary heads (null when off). */
public record Outputs(Tensor main, Tensor aux1, Tensor aux2) {
    public boolean hasAux() {
        return aux1 != null && aux2 != null;
    }
}
