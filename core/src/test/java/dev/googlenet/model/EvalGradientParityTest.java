package dev.googlenet.model;

import dev.googlenet.explain.Explainer;
import dev.googlenet.explain.GradCam;
import dev.googlenet.explain.Heatmaps;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradients in eval mode against PyTorch ({@code ../shared/reference/explain_cases.safetensors}, made from
 * {@code tv_calibrated}, whose BatchNorm running statistics make eval mode depend on the input): logits, the
 * inception5b activation and the gradient of Σₙ logits[n, classₙ] there, Grad-CAM at inception5b and 4c, the
 * 224×224 heat map and CAM. The file's values are float64 PyTorch; for every key it records how far float32
 * PyTorch lands from them ({@code torch32_rel_err}), and we allow ten times that, at least 1e-5 (issue 13's rule).
 */
class EvalGradientParityTest {

    @Test
    void eval_mode_gradients_and_class_activation_maps_match_pytorch() throws IOException {
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/explain_cases.safetensors"));
        GoogLeNet model = tvCalibrated();
        Map<String, Double> floors = floors(cases);

        Tensor input = cases.tensor("input");
        int n = input.dim(0);
        Taps taps = Taps.of("inception5b", "inception4c");
        Tensor logits = model.forward(input, taps);
        int[] classes = argmax(logits);
        int[] expected = Arrays.stream(cases.longs("class")).mapToInt(Math::toIntExact).toArray();
        assertArrayEquals(expected, classes, "argmax of the logits (the file: 58 and 902)");

        Tensor gradLogits = Tensor.zeros(logits.shape()); // ∂Σₙ logits[n, classₙ]/∂logits: one-hot rows
        for (int i = 0; i < n; i++) {
            gradLogits.data()[i * logits.dim(1) + classes[i]] = 1f;
        }
        model.backward(gradLogits);

        Tensor a5b = taps.activation("inception5b"), g5b = taps.gradient("inception5b");
        Tensor gradCam5b = GradCam.gradCam(a5b, g5b).map();
        Map<String, Tensor> ours = new LinkedHashMap<>();
        ours.put("logits", logits);
        ours.put("inception5b", a5b);
        ours.put("inception5b.grad", g5b);
        ours.put("gradcam.inception4c",
                GradCam.gradCam(taps.activation("inception4c"), taps.gradient("inception4c")).map());
        ours.put("gradcam.inception5b", gradCam5b);
        ours.put("cam", GradCam.cam(a5b, model.namedParameters().get("fc.weight").value(), classes).map());
        ours.put("gradcam.inception5b.224", Heatmaps.heatmap(gradCam5b, input.dim(2), input.dim(3)));
        assertEquals(floors.keySet(), ours.keySet(), "every key of the file's order is compared");

        List<String> failed = compare(cases, floors, ours, "explain");
        assertTrue(failed.isEmpty(), () -> "off against explain_cases: " + failed);
    }

    /**
     * The same maps as the library computes them ({@link Explainer}): the activation from the inference plan (BatchNorm
     * folded, fused kernels), the gradient from the definition's stages after the layer, the classes its top ones.
     */
    @Test
    void explainer_through_the_inference_plan_matches_pytorch() throws IOException {
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/explain_cases.safetensors"));
        GoogLeNet model = tvCalibrated();
        Explainer explainer = Explainer.of(model, InferencePlan.compile(model));
        Map<String, Double> floors = floors(cases);
        Tensor input = cases.tensor("input");
        int[] expected = Arrays.stream(cases.longs("class")).mapToInt(Math::toIntExact).toArray();

        Explainer.Explanation g5b = explainer.gradCam(input, null, "inception5b");
        Explainer.Explanation g4c = explainer.gradCam(input, null, "inception4c");
        Explainer.Explanation cam = explainer.cam(input, null);
        for (Explainer.Explanation e : List.of(g5b, g4c, cam)) {
            assertArrayEquals(expected, e.classes(), e.method() + ": the top classes (58 and 902)");
        }
        Map<String, Tensor> ours = new LinkedHashMap<>();
        ours.put("gradcam.inception4c", g4c.map());
        ours.put("gradcam.inception5b", g5b.map());
        ours.put("gradcam.inception5b.224", g5b.heatmap());
        ours.put("cam", cam.map());
        List<String> failed = compare(cases, floors, ours, "explainer");
        assertTrue(failed.isEmpty(), () -> "explainer off against explain_cases: " + failed);
    }

    /** tv_calibrated, the weights explain_cases was made with. */
    private static GoogLeNet tvCalibrated() throws IOException {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(false).build());
        model.loadStateDict(StateDicts.tensors(Safetensors.read(SharedData.file("reference/tv_calibrated.safetensors"))));
        return model;
    }

    /** Each of {@code ours} against the file's key of that name: the keys off by more than their tolerance. */
    private static List<String> compare(SafetensorsFile cases, Map<String, Double> floors, Map<String, Tensor> ours,
                                        String label) throws IOException {
        List<String> failed = new ArrayList<>();
        for (var e : ours.entrySet()) {
            String key = e.getKey();
            Tensor ref = cases.tensor(key);
            assertArrayEquals(ref.shape(), e.getValue().shape(), key + ": shape");
            double err = relativeL2(e.getValue(), ref);
            double floor = floors.get(key), tol = Math.max(10 * floor, 1e-5);
            System.out.printf("PARITY %s %s rel_l2=%.3e floor=%.3e tol=%.3e%n", label, key, err, floor, tol);
            if (!(err <= tol)) { // NaN fails too
                failed.add(key + " (" + err + " > " + tol + ")");
            }
        }
        return failed;
    }

    /**
     * The file's float32 floors by key: the metadata's {@code order} lists the keys (comma-separated) in the order
     * of the {@code torch32_rel_err} tensor's elements.
     */
    private static Map<String, Double> floors(SafetensorsFile cases) throws IOException {
        String order = cases.metadata().get("order");
        assertTrue(order != null, "explain_cases has an 'order' in its metadata");
        List<String> keys = Arrays.stream(order.split(",")).map(String::trim).toList();
        Tensor errs = cases.tensor("torch32_rel_err");
        assertEquals(keys.size(), errs.size(), "one torch32_rel_err per key in 'order': " + keys);
        Map<String, Double> floors = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            double f = errs.data()[i];
            assertTrue(f >= 0 && f < 0.1, keys.get(i) + ": implausible floor " + f);
            floors.put(keys.get(i), f);
        }
        return floors;
    }

    private static int[] argmax(Tensor logits) {
        int n = logits.dim(0), k = logits.dim(1);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 1; j < k; j++) {
                if (logits.get(i, j) > logits.get(i, out[i])) {
                    out[i] = j;
                }
            }
        }
        return out;
    }

    /** ‖a − b‖ / ‖b‖ in double. */
    static double relativeL2(Tensor a, Tensor b) {
        double diff = 0, norm = 0;
        for (int i = 0; i < b.size(); i++) {
            double d = (double) a.data()[i] - b.data()[i];
            diff += d * d;
            norm += (double) b.data()[i] * b.data()[i];
        }
        return Math.sqrt(diff / norm);
    }
}
