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

    private static void randomize(dev.googlenet.nn.Layer layer, Random rnd) {
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
