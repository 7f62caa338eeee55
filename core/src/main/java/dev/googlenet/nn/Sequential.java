package dev.googlenet.nn;

import dev.googlenet.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Layers applied one after another; children are named as in PyTorch (by index unless a name is given). */
public final class Sequential implements Layer {
    private final List<String> names = new ArrayList<>();
    private final List<Layer> layers = new ArrayList<>();

    public Sequential add(String name, Layer layer) {
        names.add(name);
        layers.add(layer);
        return this;
    }

    /** Adds a child named by its position, like {@code nn.Sequential(...)}. */
    public Sequential add(Layer layer) {
        return add(Integer.toString(layers.size()), layer);
    }

    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    public List<String> names() {
        return List.copyOf(names);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        for (Layer layer : layers) {
            x = layer.forward(x, training);
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor gradOut) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            gradOut = layers.get(i).backward(gradOut);
        }
        return gradOut;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        for (Layer layer : layers) {
            inputShape = layer.outputShape(inputShape);
        }
        return inputShape;
    }

    @Override
    public long multiplyAdds(int[] inputShape) {
        long total = 0;
        for (Layer layer : layers) {
            total += layer.multiplyAdds(inputShape);
            inputShape = layer.outputShape(inputShape);
        }
        return total;
    }

    @Override
    public void visitState(String prefix, StateVisitor visitor) {
        for (int i = 0; i < layers.size(); i++) {
            layers.get(i).visitState(Layer.join(prefix, names.get(i)), visitor);
        }
    }
}
