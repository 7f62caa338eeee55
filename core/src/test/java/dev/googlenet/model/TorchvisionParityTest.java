package dev.googlenet.model;

import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.StateDicts;
import dev.googlenet.nn.Param;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import dev.googlenet.train.GoogLeNetLoss;
import dev.googlenet.train.Sgd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests against PyTorch 1.13 / torchvision 0.14 ({@code ../shared/reference/tv_*.safetensors}): eval
 * logits, and a full training step with the aux heads — logits, the four loss parts, gradients, BatchNorm
 * running statistics, and the parameters after two SGD steps. Tolerances are those of {@code shared/README.md}.
 */
class TorchvisionParityTest {
    private static SafetensorsFile state;
    private static SafetensorsFile cases;

    @BeforeAll
    static void load() throws IOException {
        state = Safetensors.read(SharedData.file("reference/tv_state.safetensors"));
        cases = Safetensors.read(SharedData.file("reference/tv_cases.safetensors"));
    }

    private static GoogLeNet torchvisionModel(float dropout) throws IOException {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optDropout(dropout).optAuxDropout(dropout).build());
        model.loadStateDict(StateDicts.tensors(state));
        return model;
    }

    @Test
    void evalLogitsMatchPyTorch() throws IOException {
        GoogLeNet model = torchvisionModel(0.2f);
        Tensor logits = model.forward(cases.tensor("eval.input"));
        assertClose("eval.logits", cases.tensor("eval.logits"), logits);
    }

    @Test
    void trainingStepsMatchPyTorch() throws IOException {
        GoogLeNet model = torchvisionModel(0f); // the reference was made with dropout off
        Tensor input = cases.tensor("train.input");
        int[] labels = Arrays.stream(cases.longs("train.labels")).mapToInt(Math::toIntExact).toArray();
        Map<String, Param> params = model.namedParameters();
        Sgd sgd = new Sgd(model.parameters(), 0.01f, 0.9f, 2e-4f, false);

        // step 1: outputs, loss parts, gradients, running statistics
        sgd.zeroGrad();
        Outputs out = model.forwardTrain(input);
        assertClose("step1.logits", cases.tensor("step1.logits"), out.main());
        assertClose("step1.aux1", cases.tensor("step1.aux1"), out.aux1());
        assertClose("step1.aux2", cases.tensor("step1.aux2"), out.aux2());
        GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
        assertLosses("step1.loss", loss);
        model.backward(loss.gradients());
        int grads = 0;
        for (String name : cases.names()) {
            if (name.startsWith("step1.grad.")) {
                String param = name.substring("step1.grad.".length());
                assertRelative(name, cases.tensor(name), params.get(param).grad());
                grads++;
            }
        }
        assertEquals(31, grads, "gradients checked");
        Map<String, Tensor> sd = model.stateDict();
        for (String name : cases.names()) {
            if (name.startsWith("step1.") && name.contains("running_")) {
                assertClose(name, cases.tensor(name), sd.get(name.substring("step1.".length())));
            }
        }
        sgd.step();

        // step 2 on the same batch, then the parameters after both updates
        sgd.zeroGrad();
        loss = GoogLeNetLoss.compute(model.forwardTrain(input), labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
        assertLosses("step2.loss", loss);
        model.backward(loss.gradients());
        sgd.step();
        int after = 0;
        for (String name : cases.names()) {
            if (name.startsWith("after2.param.")) {
                assertClose(name, cases.tensor(name), params.get(name.substring("after2.param.".length())).value());
                after++;
            }
        }
        assertEquals(29, after, "parameters checked after two steps");
    }

    private static void assertLosses(String key, GoogLeNetLoss.Result loss) throws IOException {
        float[] ref = cases.tensor(key).data();
        float[] got = {loss.total(), loss.main(), loss.aux1(), loss.aux2()};
        String[] parts = {"total", "main", "aux1", "aux2"};
        for (int i = 0; i < 4; i++) {
            double rel = Math.abs(got[i] - ref[i]) / Math.abs(ref[i]);
            Report.line(key + "." + parts[i], "relative error", rel);
            assertTrue(rel <= 1e-4, key + " " + parts[i] + ": " + got[i] + " vs " + ref[i]);
        }
    }

    /** max |a − b| ≤ 1e-3 · max |ref|. */
    static void assertClose(String what, Tensor ref, Tensor got) {
        assertTrue(ref.hasShape(got.shape()), what + ": shape " + Arrays.toString(got.shape()));
        float[] r = ref.data(), g = got.data();
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < r.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(r[i]));
            maxErr = Math.max(maxErr, Math.abs(r[i] - g[i]));
        }
        Report.line(what, "max abs error", maxErr, "of max |ref| " + maxRef);
        double tol = 1e-3 * maxRef;
        double err = maxErr;
        assertTrue(err <= tol, () -> what + ": max abs error " + err + " > " + tol);
    }

    /** ‖got − ref‖ / ‖ref‖ ≤ 1e-3. */
    static void assertRelative(String what, Tensor ref, Tensor got) {
        assertTrue(ref.hasShape(got.shape()), what + ": shape " + Arrays.toString(got.shape()));
        float[] r = ref.data(), g = got.data();
        double diff = 0, norm = 0;
        for (int i = 0; i < r.length; i++) {
            diff += (double) (g[i] - r[i]) * (g[i] - r[i]);
            norm += (double) r[i] * r[i];
        }
        double rel = Math.sqrt(diff / norm);
        Report.line(what, "relative error", rel);
        assertTrue(rel <= 1e-3, () -> what + ": relative error " + rel);
    }
}
