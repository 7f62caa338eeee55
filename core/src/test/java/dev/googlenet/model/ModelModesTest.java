package dev.googlenet.model;

import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The model run layer by layer in eval and training mode: concatenation, backward after an eval forward, determinism. */
class ModelModesTest {

    /** Parameters and buffers in ranges that keep BatchNorm and ReLU meaningful (also used by other tests). */
    static void randomize(dev.googlenet.nn.Layer layer, Random rnd) {
        dev.googlenet.testing.Randomize.state(layer, rnd);
    }

    @Test
    void inceptionInferenceMatchesItsBranchesConcatenated() {
        Random rnd = new Random(10);
        InceptionSpec spec = new InceptionSpec("test", 10, 4, 3, 5, 2, 3, 2);
        for (Variant variant : Variant.values()) {
            for (int size : new int[] {4, 17}) {
                Inception inception = new Inception(spec, variant);
                randomize(inception, rnd);
                Tensor x = GradCheck.random(rnd, 3, 10, size, size);
                for (int round = 0; round < 2; round++) {
                    if (round == 1) { // change branch 2's reduction in place, as an optimizer step does
                        ConvBlock red = (ConvBlock) ((dev.googlenet.nn.Sequential) inception.branches().get(1))
                                .layers().getFirst();
                        red.conv().weight().value().data()[0] += 1f;
                        red.conv().weight().value().markChanged();
                    }
                    float[] got = inception.forward(x, false).data().clone();
                    Tensor[] parts = new Tensor[4];
                    for (int br = 0; br < 4; br++) {
                        parts[br] = inception.branches().get(br).forward(x, false);
                    }
                    int hw = size * size, at = 0;
                    for (int n = 0; n < 3; n++) {
                        for (Tensor part : parts) {
                            int c = part.dim(1);
                            for (int i = 0; i < c * hw; i++) {
                                float want = part.data()[n * c * hw + i];
                                assertEquals(want, got[at++], 1e-5f * Math.max(1f, Math.abs(want)),
                                        variant + " " + size + "×" + size + " round " + round);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A backward after an eval-mode forward gives the input gradient of a backward after a training forward: the
     * paper variant has no BatchNorm, so both forwards compute the same function.
     */
    @Test
    void inceptionBackwardAfterAnInferenceForwardMatchesTraining() {
        Random rnd = new Random(11);
        InceptionSpec spec = new InceptionSpec("test", 10, 4, 3, 5, 2, 3, 2);
        for (int size : new int[] {4, 17}) {
            Inception inception = new Inception(spec, Variant.PAPER);
            randomize(inception, rnd);
            Tensor x = GradCheck.random(rnd, 3, 10, size, size);
            Tensor g = GradCheck.random(rnd, 3, spec.out(), size, size);
            inception.forward(x, true);
            float[] want = inception.backward(g).copy().data();
            inception.forward(GradCheck.random(rnd, 3, 10, size, size), true); // leaves other inputs in every layer
            inception.forward(x, false);
            float[] got = inception.backward(g).copy().data();
            assertArrayEquals(want, got, 1e-5f, size + "×" + size);
        }
    }

    @Test
    void trainingStepIsDeterministic() {
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                    .optNumClasses(10).optSeed(3).build());
            Tensor x = GradCheck.random(new Random(5), 3, 3, 48, 48);
            var loss = dev.googlenet.train.GoogLeNetLoss.compute(model.forwardTrain(x), new int[] {1, 2, 3}, 0.3f);
            model.backward(loss.gradients());
            grads[run] = model.namedParameters().get("conv1.conv.weight").grad().data().clone();
        }
        assertArrayEquals(grads[0], grads[1], 0f);
    }
}
