package dev.googlenet.model;

import dev.googlenet.kernels.Epilogue;
import dev.googlenet.nn.Conv2d;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The inference fast paths (BatchNorm folded, bias + ReLU fused, writes into a channel slice) against the plain ones. */
class FusedInferenceTest {

    /** Parameters and buffers in ranges that keep BatchNorm and ReLU meaningful (also used by other tests). */
    static void randomize(dev.googlenet.nn.Layer layer, Random rnd) {
        layer.visitState("", new dev.googlenet.nn.Layer.StateVisitor() {
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

    @Test
    void foldedConvBlockMatchesConvThenBatchNormThenRelu() {
        Random rnd = new Random(4);
        for (boolean bn : new boolean[] {true, false}) {
            ConvBlock block = new ConvBlock(7, 5, 3, 2, 1, bn);
            randomize(block, rnd);
            Tensor x = GradCheck.random(rnd, 3, 7, 13, 11);
            // plain path: each layer on its own, in eval mode
            Tensor y = block.conv().forward(x, false);
            if (bn) {
                y = block.bn().forward(y, false);
            }
            float[] expected = y.data().clone();
            for (int i = 0; i < expected.length; i++) {
                expected[i] = Math.max(expected[i], 0f);
            }
            assertArrayEquals(expected, block.forward(x, false).data(), 1e-5f);
            // parameters changed in place (and marked): the folded weights follow
            block.conv().weight().value().data()[0] += 1f;
            block.conv().weight().value().markChanged();
            Tensor y2 = block.conv().forward(x, false);
            if (bn) {
                y2 = block.bn().forward(y2, false);
            }
            float[] expected2 = y2.data().clone();
            for (int i = 0; i < expected2.length; i++) {
                expected2[i] = Math.max(expected2[i], 0f);
            }
            assertArrayEquals(expected2, block.forward(x, false).data(), 1e-5f);
        }
    }

    @Test
    void winogradConvBlocksMatchThePlainPath() {
        Random rnd = new Random(6);
        // F(2×2) on a small map, F(4×4) on a larger one with many channels (see Winograd3x3.suggestedTile)
        int[][] cases = {{7, 5, 13, 11}, {64, 48, 28, 28}};
        for (int[] c : cases) {
            assertEquals(c[0] == 7 ? 2 : 4, dev.googlenet.kernels.Winograd3x3.suggestedTile(c[0], c[1], c[2], c[3]));
            for (boolean bn : new boolean[] {true, false}) {
                ConvBlock block = new ConvBlock(c[0], c[1], 3, 1, 1, bn);
                randomize(block, rnd);
                Tensor x = GradCheck.random(rnd, 2, c[0], c[2], c[3]);
                Tensor y = block.conv().forward(x, false);
                if (bn) {
                    y = block.bn().forward(y, false);
                }
                float[] expected = y.data().clone();
                float max = 0;
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = Math.max(expected[i], 0f);
                    max = Math.max(max, expected[i]);
                }
                assertArrayEquals(expected, block.forward(x, false).data(), 1e-5f * max);
            }
        }
    }

    @Test
    void convWritesIntoItsChannelSlice() {
        Random rnd = new Random(8);
        Conv2d conv = new Conv2d(4, 3, 1, 1, 0, true);
        randomize(conv, rnd);
        Tensor x = GradCheck.random(rnd, 3, 4, 5, 6);
        Tensor expected = conv.forward(x, false);
        Tensor out = Tensor.zeros(3, 7, 5, 6);
        out.fill(42f);
        conv.forwardInto(x, conv.weight().value().data(), conv.bias().value().data(), false, out, 2);
        for (int n = 0; n < 3; n++) {
            for (int c = 0; c < 7; c++) {
                for (int i = 0; i < 30; i++) {
                    float got = out.data()[(n * 7 + c) * 30 + i];
                    float want = c >= 2 && c < 5 ? expected.data()[(n * 3 + c - 2) * 30 + i] : 42f;
                    assertEquals(want, got, 0f);
                }
            }
        }
    }

    /** Stacked filters of several convolutions, each slice landing in its own tensor, on large and small maps. */
    @Test
    void stackedConvolutionsWriteEachSlice() {
        Random rnd = new Random(9);
        // 20×20 = 400 pixels: one image per GEMM; 5×7: images grouped, output scattered from one GEMM
        for (int[] map : new int[][] {{20, 20}, {5, 7}}) {
            for (int kernel : new int[] {1, 3}) {
                Conv2d[] convs = {new Conv2d(6, 3, kernel, 1, kernel / 2, true), new Conv2d(6, 5, kernel, 1, kernel / 2, true),
                        new Conv2d(6, 2, kernel, 1, kernel / 2, true)};
                int k = 6 * kernel * kernel;
                float[] w = new float[10 * k], b = new float[10];
                int row = 0;
                for (Conv2d c : convs) {
                    randomize(c, rnd);
                    System.arraycopy(c.weight().value().data(), 0, w, row * k, c.outChannels() * k);
                    System.arraycopy(c.bias().value().data(), 0, b, row, c.outChannels());
                    row += c.outChannels();
                }
                Tensor x = GradCheck.random(rnd, 11, 6, map[0], map[1]);
                Tensor first = Tensor.zeros(11, 7, map[0], map[1]);
                first.fill(42f);
                Tensor second = Tensor.zeros(11, 5, map[0], map[1]), third = Tensor.zeros(11, 2, map[0], map[1]);
                convs[0].forwardInto(x, w, b, true, java.util.List.of(new Conv2d.Slice(first, 4, 3),
                        new Conv2d.Slice(second, 0, 5), new Conv2d.Slice(third, 0, 2)));
                int hw = map[0] * map[1];
                Tensor[] outs = {first, second, third};
                int[] offsets = {4, 0, 0};
                for (int j = 0; j < 3; j++) {
                    float[] want = convs[j].forward(x, false).data();
                    int cs = convs[j].outChannels(), total = outs[j].dim(1);
                    for (int n = 0; n < 11; n++) {
                        for (int c = 0; c < total; c++) {
                            for (int i = 0; i < hw; i++) {
                                float got = outs[j].data()[(n * total + c) * hw + i];
                                int cc = c - offsets[j];
                                float expect = cc < 0 || cc >= cs ? 42f
                                        : Math.max(0f, want[(n * cs + cc) * hw + i]);
                                assertEquals(expect, got, 1e-5f, "conv " + j + " map " + map[0] + "×" + map[1]
                                        + " kernel " + kernel);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Inception inference (its three 1×1 convolutions of the input stacked into one) against each branch run on
     * its own and concatenated; again after a reduction's weights change, which must rebuild the stacked filters.
     */
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
     * A backward after an inference forward (which pools and projects branch 4 group by group and keeps neither)
     * gives the input gradient of a backward after a training forward: the paper variant has no BatchNorm, so both
     * forwards compute the same function.
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
            float[] want = inception.backward(g).data().clone();
            inception.forward(GradCheck.random(rnd, 3, 10, size, size), true); // leaves other inputs in every layer
            inception.forward(x, false);
            float[] got = inception.backward(g).data();
            assertArrayEquals(want, got, 1e-5f, size + "×" + size);
        }
    }

    @Test
    void epilogueMatchesReference() {
        Random rnd = new Random(2);
        for (int len : new int[] {1, 7, 16, 49, 196, 785}) {
            float[] y = new float[3 * len + 5];
            for (int i = 0; i < y.length; i++) {
                y[i] = rnd.nextFloat() - 0.5f;
            }
            float[] bias = {0.1f, -0.2f, 0.3f, 9f};
            for (boolean relu : new boolean[] {true, false}) {
                float[] a = y.clone(), b = y.clone();
                Epilogue.biasRelu(a, 5, 3, len, bias, 1, relu);
                Epilogue.biasReluReference(b, 5, 3, len, bias, 1, relu);
                assertArrayEquals(b, a, 0f);
            }
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
