package dev.googlenet.model;

import dev.googlenet.nn.Param;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Initial weights, seeded. torchvision: truncated normal (std 0.01, cut at ±2) for conv and linear weights,
 * biases PyTorch's default uniform(±1/√fan_in). Paper/Caffe BVLC: Xavier (uniform ±√(3/fan_in)), conv bias 0.2,
 * linear bias 0. BatchNorm starts at γ=1, β=0 (set by the layer).
 */
final class Init {
    private Init() {
    }

    static void initialize(GoogLeNet model, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean paper = model.config().variant() == Variant.PAPER;
        int[] fanIn = {1}; // layers visit their weight before their bias: the bias reuses the weight's fan-in
        model.visitState((name, p) -> {
            float[] d = p.value().data();
            switch (p.kind()) {
                case NORM -> { }
                case WEIGHT -> {
                    int[] s = p.value().shape();
                    fanIn[0] = Arrays.stream(s, 1, s.length).reduce(1, (a, b) -> a * b);
                    if (paper) {
                        uniform(rnd, d, Math.sqrt(3.0 / fanIn[0]));
                    } else {
                        for (int i = 0; i < d.length; i++) {
                            double v;
                            do {
                                v = rnd.nextGaussian();
                            } while (Math.abs(v) > 200); // the cut at ±2 is ±200 σ for σ = 0.01
                            d[i] = (float) (v * 0.01);
                        }
                    }
                }
                case BIAS -> {
                    if (paper) {
                        Arrays.fill(d, name.contains("fc") ? 0f : 0.2f);
                    } else {
                        uniform(rnd, d, 1 / Math.sqrt(fanIn[0]));
                    }
                }
            }
        });
    }

    private static void uniform(SplittableRandom rnd, float[] d, double bound) {
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) ((rnd.nextDouble() * 2 - 1) * bound);
        }
    }
}
