package dev.googlenet.train;

import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Outputs;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.Param;
import dev.googlenet.nn.SoftmaxCrossEntropy;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LossAndAveragingTest {

    static GoogLeNet tiny(long seed) {
        return new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optNumClasses(3)
                .optSmallInput(true).optWidth(1 / 16f).optInputChannels(1).optSeed(seed).build());
    }

    static Tensor randomInput(int n, long seed) {
        Tensor x = Tensor.zeros(n, 1, 8, 8);
        Random r = new Random(seed);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void labelSmoothingLossMatchesPyTorchsDefinition() {
        // logits [1, 2, 3], label 0, ε = 0.1: loss = logsumexp − 0.9·z₀ − 0.1·mean(z)
        Tensor z = Tensor.of(new float[] {1, 2, 3}, 1, 3);
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        SoftmaxCrossEntropy.Result r = GoogLeNetLoss.crossEntropy(z, new int[] {0}, 0.1f);
        assertEquals(lse - 0.9 * 1 - 0.1 * 2, r.loss(), 1e-6);
        // gradient: softmax − target, target = 0.9·onehot + 0.1/3
        for (int c = 0; c < 3; c++) {
            double p = Math.exp(c + 1 - lse);
            double t = (c == 0 ? 0.9 : 0) + 0.1 / 3;
            assertEquals(p - t, r.gradLogits().data()[c], 1e-6);
        }
        // ε = 0 is the plain cross-entropy
        assertEquals(lse - 1, GoogLeNetLoss.crossEntropy(z, new int[] {0}, 0f).loss(), 1e-6);
    }

    @Test
    void labelSmoothingGradientMatchesFiniteDifferences() {
        Random rnd = new Random(4);
        int n = 3, k = 5;
        float[] z = new float[n * k];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) rnd.nextGaussian() * 2;
        }
        int[] labels = {4, 0, 2};
        float eps = 0.2f;
        float[] grad = GoogLeNetLoss.crossEntropy(Tensor.of(z.clone(), n, k), labels, eps).gradLogits().data();
        for (int i = 0; i < z.length; i++) {
            float[] plus = z.clone(), minus = z.clone();
            plus[i] += 1e-2f;
            minus[i] -= 1e-2f;
            double numeric = (GoogLeNetLoss.crossEntropy(Tensor.of(plus, n, k), labels, eps).loss()
                    - GoogLeNetLoss.crossEntropy(Tensor.of(minus, n, k), labels, eps).loss()) / 2e-2;
            assertEquals(numeric, grad[i], 2e-3, "logit " + i);
        }
    }

    @Test
    void withAuxWeightZeroTheAuxHeadsReceiveNoGradient() {
        GoogLeNet model = tiny(1);
        Outputs out = model.forwardTrain(randomInput(4, 2));
        GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, new int[] {0, 1, 2, 0}, 0f, 0.1f);
        assertNull(loss.gradients().aux1());
        assertNull(loss.gradients().aux2());
        assertTrue(Float.isFinite(loss.aux1()) && Float.isFinite(loss.aux2())); // still reported
        assertEquals(loss.main(), loss.total(), 0f);
        model.backward(loss.gradients());
        int trunkWithGradient = 0;
        for (var e : model.namedParameters().entrySet()) {
            boolean any = false;
            for (float g : e.getValue().grad().data()) {
                any |= g != 0f;
            }
            if (e.getKey().startsWith("aux")) {
                assertTrue(!any, e.getKey() + " received a gradient");
            } else if (any) {
                trunkWithGradient++;
            }
        }
        assertTrue(trunkWithGradient > 50, "trunk parameters with a gradient: " + trunkWithGradient);
        // and with the paper's weight they do
        model.parameters().forEach(Param::zeroGrad);
        out = model.forwardTrain(randomInput(4, 2));
        model.backward(GoogLeNetLoss.compute(out, new int[] {0, 1, 2, 0}, 0.3f).gradients());
        float[] g = model.namedParameters().get("aux1.fc2.weight").grad().data();
        double norm = 0;
        for (float v : g) {
            norm += v * v;
        }
        assertTrue(norm > 0);
    }

    @Test
    void emaFollowsTheDecayAndItsWarmup() {
        GoogLeNet model = tiny(3);
        Ema ema = new Ema(model, 0.9, false);
        Param w = model.namedParameters().get("fc.weight");
        Tensor mean = model.stateDict().get("conv1.bn.running_mean");
        float w0 = w.value().data()[0];
        w.value().data()[0] = w0 + 1;
        mean.data()[0] = 10;
        ema.update(model);
        // avg = 0.9·w0 + 0.1·(w0 + 1); buffers are averaged too: 0.9·0 + 0.1·10
        assertEquals(0.9f * w0 + 0.1f * (w0 + 1), ema.stateDict().get("fc.weight").data()[0], 1e-7f);
        assertEquals(1f, ema.stateDict().get("conv1.bn.running_mean").data()[0], 1e-6f);
        ema.update(model);
        assertEquals(0.9f * (0.9f * w0 + 0.1f * (w0 + 1)) + 0.1f * (w0 + 1),
                ema.stateDict().get("fc.weight").data()[0], 1e-6f);
        assertEquals(2, ema.updates());

        Ema warm = new Ema(model, 0.999, true);
        assertEquals(0.1, warm.currentDecay(), 1e-12);       // (1 + 0)/(10 + 0)
        warm.update(model);
        assertEquals(2 / 11.0, warm.currentDecay(), 1e-12);
        GoogLeNet copy = tiny(99);
        warm.copyTo(copy);
        assertEquals(warm.stateDict().get("fc.weight").data()[5], copy.stateDict().get("fc.weight").data()[5]);
    }

    @Test
    void sgdCanLeaveBiasesAndNormsUndecayedAndExposesItsBuffers() {
        Param w = new Param("weight", Tensor.of(new float[] {1f}, 1), Param.Kind.WEIGHT);
        Param b = new Param("bias", Tensor.of(new float[] {1f}, 1), Param.Kind.BIAS);
        Param g = new Param("weight", Tensor.of(new float[] {1f}, 1), Param.Kind.NORM);
        Sgd sgd = new Sgd(List.of(w, b, g), 0.1f, 0.9f, 0.5f, false, Sgd.weightsOnly());
        assertNull(sgd.momentumBuffer(w));
        sgd.step(); // zero gradients: only decay moves anything
        assertEquals(1f - 0.1f * 0.5f, w.value().data()[0], 1e-7f);
        assertEquals(1f, b.value().data()[0]);
        assertEquals(1f, g.value().data()[0]);
        assertEquals(0.5f, sgd.momentumBuffer(w)[0], 1e-7f);
        // restoring buffers into a fresh optimizer continues identically
        Param w2 = new Param("weight", Tensor.of(w.value().data().clone(), 1), Param.Kind.WEIGHT);
        Sgd other = new Sgd(List.of(w2), 0.1f, 0.9f, 0.5f, false, Sgd.weightsOnly());
        other.setMomentumBuffer(w2, sgd.momentumBuffer(w));
        sgd.step();
        other.step();
        assertEquals(w.value().data()[0], w2.value().data()[0], 0f);
    }
}
