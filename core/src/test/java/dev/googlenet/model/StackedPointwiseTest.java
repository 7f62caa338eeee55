package dev.googlenet.model;

import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Inception's three 1×1 blocks stacked into one layer against the same blocks run one by one. */
class StackedPointwiseTest {

    private static ConvBlock[] blocks(boolean bn, long seed) {
        ConvBlock[] b = {new ConvBlock(7, 4, 1, 1, 0, bn), new ConvBlock(7, 3, 1, 1, 0, bn),
                new ConvBlock(7, 2, 1, 1, 0, bn)};
        Random rnd = new Random(seed);
        for (ConvBlock block : b) {
            FusedInferenceTest.randomize(block, rnd);
        }
        return b;
    }

    private static void assertClose(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 2e-5f * Math.max(1f, Math.abs(want[i])), what + " [" + i + "]");
        }
    }

    /** Every parameter's gradient and every buffer of the blocks, in visiting order. */
    private static List<float[]> state(ConvBlock[] blocks, boolean grads) {
        List<float[]> out = new ArrayList<>();
        for (ConvBlock b : blocks) {
            b.visitState("", new dev.googlenet.nn.Layer.StateVisitor() {
                @Override
                public void param(String name, Param p) {
                    out.add((grads ? p.grad() : p.value()).data().clone());
                }

                @Override
                public void buffer(String name, Tensor t) {
                    out.add(t.data().clone());
                }
            });
        }
        return out;
    }

    @Test
    void matchesTheBlocksOneByOne() {
        Random rnd = new Random(3);
        // 5×6: images grouped into one GEMM; 17×17: one image per GEMM
        for (int[] map : new int[][] {{5, 6}, {17, 17}}) {
            for (boolean bn : new boolean[] {true, false}) {
                for (boolean training : new boolean[] {true, false}) {
                    String what = map[0] + "×" + map[1] + (bn ? " bn" : " bias") + (training ? " training" : " eval");
                    ConvBlock[] stackedBlocks = blocks(bn, 5), single = blocks(bn, 5);
                    StackedPointwise stacked = new StackedPointwise(stackedBlocks);
                    for (int round = 0; round < 2; round++) { // the second round sees changed weights and stats
                        Tensor x = GradCheck.random(rnd, 5, 7, map[0], map[1]);
                        Tensor stackedOut = stacked.forward(x, training);
                        Tensor[] grads = new Tensor[3];
                        Tensor dxWant = Tensor.zeros(x.shape());
                        for (int i = 0; i < 3; i++) {
                            // eval: the fused inference path, whose values the eval-mode training path (what
                            // backward redoes) equals
                            Tensor want = single[i].forward(x, training);
                            float[] got = i > 0 ? stacked.output(i).data()
                                    : channels(stackedOut, 0, 4);
                            assertClose(want.data(), got, what + " output " + i);
                            grads[i] = GradCheck.random(rnd, want.shape());
                        }
                        // block 0's gradient sits at channels [2, 6) of a wider tensor, as in Inception's output
                        Tensor wide = GradCheck.random(rnd, 5, 9, map[0], map[1]);
                        int hw = map[0] * map[1];
                        for (int n = 0; n < 5; n++) {
                            System.arraycopy(grads[0].data(), n * 4 * hw, wide.data(), (n * 9 + 2) * hw, 4 * hw);
                        }
                        Tensor dx = stacked.backward(wide, 2, grads[1], grads[2]);
                        for (int i = 0; i < 3; i++) {
                            float[] g = single[i].backward(grads[i]).data();
                            for (int j = 0; j < g.length; j++) {
                                dxWant.data()[j] += g[j];
                            }
                        }
                        assertClose(dxWant.data(), dx.data(), what + " input gradient");
                        List<float[]> gw = state(single, true), gg = state(stackedBlocks, true);
                        List<float[]> sw = state(single, false), sg = state(stackedBlocks, false);
                        for (int i = 0; i < gw.size(); i++) {
                            assertClose(gw.get(i), gg.get(i), what + " gradient/buffer " + i);
                            assertClose(sw.get(i), sg.get(i), what + " value/running statistic " + i);
                        }
                        // an optimizer step on both: the stack must pick up the new weights
                        for (ConvBlock[] bs : List.of(stackedBlocks, single)) {
                            for (ConvBlock b : bs) {
                                float[] w = b.conv().weight().value().data();
                                for (int j = 0; j < w.length; j++) {
                                    w[j] -= 0.1f * b.conv().weight().grad().data()[j];
                                }
                                b.conv().weight().value().markChanged();
                            }
                        }
                    }
                }
            }
        }
    }

    /** Channels [from, from + count) of t, image after image. */
    private static float[] channels(Tensor t, int from, int count) {
        int n = t.dim(0), c = t.dim(1), hw = t.dim(2) * t.dim(3);
        float[] out = new float[n * count * hw];
        for (int img = 0; img < n; img++) {
            System.arraycopy(t.data(), (img * c + from) * hw, out, img * count * hw, count * hw);
        }
        return out;
    }
}
