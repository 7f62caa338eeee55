package dev.googlenet.testing;

import dev.googlenet.nn.Layer;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;

import java.util.Map;
import java.util.Random;

/** Random parameters and buffers for tests, in ranges that keep BatchNorm and ReLU meaningful. */
public final class Randomize {
    private Randomize() {
    }

    /** Every parameter uniform in ±0.5 (BatchNorm scales 0.5–1.5), running means ±0.5, running variances 0.5–1.5. */
    public static void state(Layer layer, Random rnd) {
        layer.visitState("", new Layer.StateVisitor() {
            @Override
            public void param(String name, Param p) {
                float[] d = p.value().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = name.endsWith("bn.weight") ? 0.5f + rnd.nextFloat() : rnd.nextFloat() - 0.5f;
                }
                p.value().markChanged();
            }

            @Override
            public void buffer(String name, Tensor b) {
                float[] d = b.data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = name.endsWith("running_var") ? 0.5f + rnd.nextFloat() : rnd.nextFloat() - 0.5f;
                }
                b.markChanged();
            }
        });
    }

    /**
     * Every convolution weight ({@code …conv.weight}) of {@code params} (a model's named parameters) redrawn
     * He-normal, std √(2/fan_in). Torchvision's std-0.01 init makes a deep network's activations vanish, so its eval
     * outputs hardly depend on the input; with these they do.
     */
    public static void heNormalConvolutions(Map<String, Param> params, Random rnd) {
        params.forEach((name, p) -> {
            if (name.endsWith("conv.weight")) {
                int[] s = p.value().shape();
                double std = Math.sqrt(2.0 / (s[1] * s[2] * s[3]));
                float[] d = p.value().data();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) (std * rnd.nextGaussian());
                }
                p.value().markChanged();
            }
        });
    }
}
