package dev.googlenet.model;

import dev.googlenet.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named layers to look into during one forward and backward of a {@link GoogLeNet}: the activation each one
 * produced and the gradient of the loss with respect to it (what Grad-CAM, saliency and feature extraction read).
 * Names are the model's stage names ({@code conv1}, {@code maxpool1}, …, {@code inception3a} … {@code inception5b},
 * {@code avgpool}, {@code fc}), plus {@code features} for the pooled vector [N, 1024] the classifier reads.
 * Recorded tensors are copies, the caller's to keep.
 */
public final class Taps {
    /** The pooled, flattened features [N, C] that the last linear layer reads. */
    public static final String FEATURES = "features";

    private final Set<String> names;
    private final Map<String, Tensor> activations = new LinkedHashMap<>();
    private final Map<String, Tensor> gradients = new LinkedHashMap<>();

    private Taps(Set<String> names) {
        this.names = names;
    }

    /** Taps at these names (checked against the model when it runs). */
    public static Taps of(String... names) {
        return new Taps(Set.copyOf(List.of(names)));
    }

    public Set<String> names() {
        return names;
    }

    /** The activation recorded at {@code name} by the last forward. */
    public Tensor activation(String name) {
        return recorded(activations, name, "activation");
    }

    /** The gradient with respect to the activation at {@code name}, recorded by the last backward. */
    public Tensor gradient(String name) {
        return recorded(gradients, name, "gradient");
    }

    private Tensor recorded(Map<String, Tensor> m, String name, String what) {
        Tensor t = m.get(name);
        if (t == null) {
            throw new IllegalArgumentException(names.contains(name) ? "no " + what + " recorded at '" + name
                    + "' yet: run " + (what.equals("gradient") ? "backward" : "forward") + " first"
                    : "'" + name + "' is not tapped; taps: " + names);
        }
        return t;
    }

    boolean wants(String name) {
        return names.contains(name);
    }

    void clear() {
        activations.clear();
        gradients.clear();
    }

    void recordActivation(String name, Tensor t) {
        activations.put(name, t.copy());
    }

    void recordGradient(String name, Tensor t) {
        gradients.put(name, t.copy());
    }
}
