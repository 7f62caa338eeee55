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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests against PyTorch 1.13 / torchvision 0.14 ({@code ../shared/reference/tv_*.safetensors}): eval
 * logits, and a full training step with the aux heads — logits, the four loss parts, gradients, BatchNorm
 * running statistics, and the parameters after two SGD steps. Tolerances are those of {@code shared/README.md}.
 * <p>
 * The reference names its aux outputs in the order of torchvision's {@code GoogLeNetOutputs(logits, aux_logits2,
 * aux_logits1)}: its {@code step1.aux1} and loss part 3 come from the head named {@code aux2} (after 4d), and
 * {@code step1.aux2} and part 4 from {@code aux1} (after 4a). We keep the state-dict names' meaning.
 * <p>
 * Its {@code step1.grad.*} tensors hold the gradients of the <em>second</em> backward (recorded after step 2):
 * with them, the SGD algebra links tv_state and {@code after2.param.*} exactly only if our step-1 gradient is
 * the first one (fc.bias: 4e-5 relative). So step-1 gradients are checked against the reference's step-1
 * gradients recovered from that algebra.
 */
class TorchvisionParityTest {
    private static final float LR = 0.01f;
    private static final float MOMENTUM = 0.9f;
    private static final float WEIGHT_DECAY = 2e-4f;
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
        Sgd sgd = new Sgd(model.parameters(), LR, MOMENTUM, WEIGHT_DECAY, false);

        // step 1: outputs, the four loss parts, BatchNorm running statistics
        sgd.zeroGrad();
        Outputs out = model.forwardTrain(input);
        assertClose("step1.logits", cases.tensor("step1.logits"), out.main());
        assertClose("step1.aux1 (torchvision's 2nd output = head aux2)", cases.tensor("step1.aux1"), out.aux2());
        assertClose("step1.aux2 (torchvision's 3rd output = head aux1)", cases.tensor("step1.aux2"), out.aux1());
        GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(out, labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
        assertLosses("step1.loss", loss);
        Map<String, Tensor> sd = model.stateDict();

        // step-1 gradients, against the reference's step-1 gradients recovered from its SGD trajectory
        model.backward(loss.gradients());
        Map<String, float[]> ours = new LinkedHashMap<>();
        params.forEach((name, p) -> ours.put(name, p.grad().data().clone()));
        Map<String, Double> floor = roundingFloor(input, labels);
        List<String> bad = new ArrayList<>();
        int checked = 0;
        for (String name : cases.names()) {
            if (!name.startsWith("after2.param.")) {
                continue;
            }
            String param = name.substring("after2.param.".length());
            Tensor reference = referenceStep1Gradient(param);
            double err = relativeError("step1 grad " + param, reference, Tensor.of(ours.get(param), reference.shape()));
            // where float32 rounding alone moves a gradient by more than 1e-3, allow a few times that much
            double tol = Math.max(1e-3, 4 * floor.get(param));
            Report.line("step1 grad " + param, "rounding floor", floor.get(param), "tolerance " + tol);
            if (err > tol) {
                bad.add(param + " (" + err + " > " + tol + ")");
            }
            checked++;
        }
        assertEquals(29, checked, "step-1 gradients checked");
        assertTrue(bad.isEmpty(), () -> "step-1 gradients off: " + bad);

        // after two SGD steps: our Sgd replays both updates from tv_state with our step-1 gradient and the
        // reference's recorded second gradient; each parameter's error is measured against how far it moved
        List<String> off = new ArrayList<>();
        int after = 0;
        for (String name : cases.names()) {
            if (!name.startsWith("after2.param.")) {
                continue;
            }
            String param = name.substring("after2.param.".length());
            Param replay = new Param(param, state.tensor(param), Param.Kind.WEIGHT);
            Sgd replaySgd = new Sgd(List.of(replay), LR, MOMENTUM, WEIGHT_DECAY, false);
            System.arraycopy(ours.get(param), 0, replay.grad().data(), 0, replay.grad().size());
            replaySgd.step();
            System.arraycopy(cases.tensor("step1.grad." + param).data(), 0, replay.grad().data(), 0, replay.grad().size());
            replaySgd.step();
            float[] p0 = state.tensor(param).data(), ref = cases.tensor(name).data(), got = replay.value().data();
            double diff = 0, moved = 0;
            for (int i = 0; i < ref.length; i++) {
                diff += (double) (got[i] - ref[i]) * (got[i] - ref[i]);
                moved += (double) (ref[i] - p0[i]) * (ref[i] - p0[i]);
            }
            double err = Math.sqrt(diff / moved), tol = Math.max(1e-3, 4 * floor.get(param));
            Report.line(name, "error/update", err, "tolerance " + tol);
            if (err > tol) {
                off.add(param + " (" + err + " > " + tol + ")");
            }
            after++;
        }
        assertEquals(29, after, "parameters checked after two steps");
        assertTrue(off.isEmpty(), () -> "parameters after two steps off: " + off);

        // our own second step, for the record: the first update moves conv1's weights ~80× their size along an
        // ill-conditioned gradient, so two float32 engines part ways here (reported, not asserted)
        sgd.step();
        sgd.zeroGrad();
        loss = GoogLeNetLoss.compute(model.forwardTrain(input), labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
        reportLosses("step2.loss", loss);
        // the file's step1.*running_* were recorded after the second forward too (after forward 1 they are
        // 10–70% away, after forward 2 within 2e-3)
        for (String name : cases.names()) {
            if (name.startsWith("step1.") && name.contains("running_")) {
                double err = relativeError(name + " after forward 2", cases.tensor(name),
                        sd.get(name.substring("step1.".length())));
                assertTrue(err <= 5e-3, name + ": relative error " + err);
            }
        }
        model.backward(loss.gradients());
        for (String name : List.of("fc.weight", "aux1.fc2.weight", "fc.bias")) {
            relativeError("step2 grad " + name + " (file: step1.grad." + name + ")",
                    cases.tensor("step1.grad." + name), params.get(name).grad());
        }
    }

    /**
     * The reference's own step-1 gradient of {@code param}, recovered exactly from its initial value (tv_state),
     * its value after two steps ({@code after2.param}) and the recorded gradient of the second backward, by
     * PyTorch's SGD algebra: {@code p0 − p2 = lr·d1·(1 + m − lr·wd) + lr·(g2 + wd·p0)} with {@code d1 = g1 + wd·p0}.
     */
    private static Tensor referenceStep1Gradient(String param) throws IOException {
        float[] p0 = state.tensor(param).data();
        float[] p2 = cases.tensor("after2.param." + param).data();
        float[] g2 = cases.tensor("step1.grad." + param).data();
        float[] g1 = new float[p0.length];
        for (int i = 0; i < g1.length; i++) {
            double d1 = ((p0[i] - (double) p2[i]) / LR - g2[i] - WEIGHT_DECAY * p0[i])
                    / (1 + MOMENTUM - LR * WEIGHT_DECAY);
            g1[i] = (float) (d1 - WEIGHT_DECAY * p0[i]);
        }
        return Tensor.of(g1, state.tensor(param).shape());
    }

    /**
     * How far each step-1 gradient moves when the input is perturbed at float32 rounding level (relative 1e-7):
     * the precision any float32 engine can promise against another. Early layers of this random-init network
     * are ill-conditioned (their gradients are ~100× larger than their weights), so there it is near 1%.
     */
    private static Map<String, Double> roundingFloor(Tensor input, int[] labels) throws IOException {
        GoogLeNet model = torchvisionModel(0f);
        Tensor x = input.copy();
        Random rnd = new Random(1);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] *= (float) (1 + 1e-7 * rnd.nextGaussian());
        }
        GoogLeNetLoss.Result loss = GoogLeNetLoss.compute(model.forwardTrain(x), labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
        model.backward(loss.gradients());
        GoogLeNet exact = torchvisionModel(0f);
        loss = GoogLeNetLoss.compute(exact.forwardTrain(input), labels, GoogLeNetLoss.PAPER_AUX_WEIGHT);
        exact.backward(loss.gradients());
        Map<String, Param> perturbed = model.namedParameters();
        Map<String, Double> floor = new LinkedHashMap<>();
        exact.namedParameters().forEach((name, p) -> floor.put(name, relative(p.grad().data(), perturbed.get(name).grad().data())));
        return floor;
    }

    private static void reportLosses(String key, GoogLeNetLoss.Result loss) throws IOException {
        float[] ref = cases.tensor(key).data();
        float[] got = {loss.total(), loss.main(), loss.aux2(), loss.aux1()};
        for (int i = 0; i < 4; i++) {
            Report.line(key + "[" + i + "]", "relative error", Math.abs(got[i] - ref[i]) / Math.abs(ref[i]));
        }
    }

    private static void assertLosses(String key, GoogLeNetLoss.Result loss) throws IOException {
        float[] ref = cases.tensor(key).data();
        float[] got = {loss.total(), loss.main(), loss.aux2(), loss.aux1()}; // torchvision's output order
        String[] parts = {"total", "main", "aux (head aux2)", "aux (head aux1)"};
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

    /** ‖got − ref‖ / ‖ref‖, reported. */
    static double relativeError(String what, Tensor ref, Tensor got) {
        assertTrue(ref.hasShape(got.shape()), what + ": shape " + Arrays.toString(got.shape()));
        double rel = relative(ref.data(), got.data());
        Report.line(what, "relative error", rel);
        return rel;
    }

    private static double relative(float[] r, float[] g) {
        double diff = 0, norm = 0;
        for (int i = 0; i < r.length; i++) {
            diff += (double) (g[i] - r[i]) * (g[i] - r[i]);
            norm += (double) r[i] * r[i];
        }
        return Math.sqrt(diff / norm);
    }
}
