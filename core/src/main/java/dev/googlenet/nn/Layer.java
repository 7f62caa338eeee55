package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

/**
 * One step of a static graph. {@link #forward} keeps what {@link #backward} needs; {@code backward} takes the
 * gradient of the loss with respect to the last forward's output, adds parameter gradients into
 * {@link Param#grad()} and returns the gradient with respect to that forward's input.
 */
public interface Layer {

    Tensor forward(Tensor x, boolean training);

    Tensor backward(Tensor gradOut);

    /** The output shape for an input shape, without computing anything. */
    default int[] outputShape(int[] inputShape) {
        return inputShape;
    }

    /** Multiply-adds of one forward pass on an input of this shape (the paper's "ops"). */
    default long multiplyAdds(int[] inputShape) {
        return 0;
    }

    /** Visits parameters and buffers (e.g. BatchNorm running statistics) under PyTorch-style dotted names. */
    default void visitState(String prefix, StateVisitor visitor) {
    }

    /** Receives a layer's named parameters and buffers. */
    interface StateVisitor {
        void param(String name, Param param);

        default void buffer(String name, Tensor buffer) {
        }
    }

    /** Joins a prefix and a local name the way PyTorch's state dict does. */
    static String join(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix + "." + name;
    }
}
