package dev.googlenet.plan;

import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.io.StateDicts;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Taps;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Shape;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compiled plan against the model run layer by layer, across fusions, threads, shapes and weight changes. */
class InferencePlanTest {

    /**
     * A small-input model whose BatchNorm running statistics were measured on {@code x} (eval mode then matters).
     * The torchvision variant's convolutions are redrawn He-normal (std √(2/fan_in)): with its std-0.01 init the
     * activations vanish layer by layer and two inputs' logits differ by 2e-7 of their size, below the comparisons'
     * tolerance, so a plan computing from another input would pass.
     */
    static GoogLeNet calibrated(Variant variant, int channels, Tensor x) {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(variant).optSmallInput(true)
                .optWidth(0.375f).optInputChannels(channels).optNumClasses(10).optAuxHeads(false).optSeed(7).build());
        if (variant == Variant.TORCHVISION) {
            dev.googlenet.testing.Randomize.heNormalConvolutions(model.namedParameters(), new Random(7));
        }
        for (int i = 0; i < 30; i++) {
            model.forwardTrain(x); // running statistics move towards the batch's (momentum 0.1)
        }
        // two images' logits differ by far more than the tolerances the tests compare with (1e-5 relative)
        float[] two = model.forward(x).data(); // rows 0 and 1
        float largest = 0, apart = 0;
        for (int c = 0; c < 10; c++) {
            largest = Math.max(largest, Math.abs(two[c]));
            apart = Math.max(apart, Math.abs(two[c] - two[10 + c]));
        }
        assertTrue(apart > 1e-3f * largest, variant + ": two images' logits differ by " + apart + " of " + largest);
        return model;
    }

    /** max |a − b| / max |a|, and that neither is degenerate. */
    private static double relativeMaxError(Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape());
        double max = 0, err = 0;
        for (int i = 0; i < want.size(); i++) {
            max = Math.max(max, Math.abs(want.data()[i]));
            err = Math.max(err, Math.abs(want.data()[i] - got.data()[i]));
        }
        assertTrue(max > 1e-3, "reference output is all but zero: the comparison would prove nothing");
        return err / max;
    }

    @Test
    void planMatchesTheModelLayerByLayerWithEveryFusionOnAndOff() {
        Random rnd = new Random(3);
        for (Variant variant : Variant.values()) {
            Tensor calibration = GradCheck.random(rnd, 16, 1, 28, 28);
            GoogLeNet model = calibrated(variant, 1, calibration);
            // BatchNorm folded into the plan's convolutions: its bias β − μ·γ/σ cancels where a running mean is
            // large against its σ, and the torchvision model's logits differ from layer by layer by 2–4e-5 with any
            // fusions (1e-6 with the running means zeroed); the paper variant has no BatchNorm
            double tolerance = variant == Variant.TORCHVISION ? 1e-4 : 1e-5;
            // batch 1: fewer image groups than threads (unfused pools); 13: several groups per thread
            for (int batch : new int[] {1, 13}) {
                Tensor x = GradCheck.random(rnd, batch, 1, 28, 28);
                Tensor want = model.forward(x);
                for (Fusions f : List.of(Fusions.ALL, Fusions.NONE, new Fusions(true, false, true, true, true),
                        new Fusions(false, true, false, true, true), new Fusions(true, true, true, false, true))) {
                    double err = relativeMaxError(want, InferencePlan.compile(model, f).logits(x));
                    assertTrue(err < tolerance, variant + " batch " + batch + " " + f + ": " + err);
                }
            }
        }
    }

    /** Packing the GEMMs' filters changes no bit: both variants at 224×224, one image and three. */
    @Test
    void packedFiltersChangeNoBit() {
        Random rnd = new Random(8);
        Fusions unpacked = new Fusions(true, true, true, true, false);
        for (Variant variant : Variant.values()) {
            GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(variant).optAuxHeads(false).build());
            InferencePlan packed = InferencePlan.compile(model), plain = InferencePlan.compile(model, unpacked);
            for (int batch : new int[] {1, 3}) {
                Tensor x = GradCheck.random(rnd, batch, 3, 224, 224);
                Tensor want = plain.logits(x);
                float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
                for (float v : want.data()) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                assertTrue(hi - lo > 1e-4f, "logits all but equal: the comparison would prove nothing");
                assertArrayEquals(want.data(), packed.logits(x).data(), 0f, variant + " batch " + batch);
            }
        }
    }

    @Test
    void imageNetPlanMatchesTheCalibratedModelOnPhotos() throws IOException {
        SafetensorsFile weights = Safetensors.read(SharedData.file("reference/tv_calibrated.safetensors"));
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(false).build());
        model.loadStateDict(StateDicts.tensors(weights));
        var cases = StateDicts.tensors(Safetensors.read(SharedData.file("reference/explain_cases.safetensors")));
        Tensor x = cases.get("input");
        Tensor want = model.forward(x);
        InferencePlan plan = InferencePlan.compile(model);
        Tensor logits = plan.logits(x);
        // PyTorch's logits (computed in float64) for these photos: shared/README's tolerance, 1e-3 of the largest
        double torch = relativeMaxError(cases.get("logits"), logits);
        System.out.printf("PARITY plan vs PyTorch, tv_calibrated eval logits on photos: max err / max |logit| %.2e%n",
                torch);
        assertTrue(torch < 1e-3, "plan vs PyTorch: " + torch);
        double err = relativeMaxError(want, logits);
        System.out.printf("PARITY plan vs model, tv_calibrated eval logits: max rel err %.2e%n", err);
        // Winograd F(4×4) in the plan where the layers run F(2×2) or GEMM: rounding differs at float32's level
        assertTrue(err < 1e-4, "plan vs layer by layer: " + err);
        // the pooled features are what the model's taps see
        Taps taps = Taps.of(Taps.FEATURES);
        model.forward(x, taps);
        Tensor features = plan.features(x);
        assertArrayEquals(new int[] {2, 1024}, features.shape());
        assertTrue(relativeMaxError(taps.activation(Taps.FEATURES), features) < 1e-4);
    }

    /** One plan on 8 threads at once, each call with its own input: every result bitwise that of one thread. */
    @Test
    void eightThreadsGetBitwiseTheResultsOfOne() throws Exception {
        Random rnd = new Random(5);
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(false).optNumClasses(20).optSeed(2).build());
        dev.googlenet.testing.Randomize.state(model.trunk(), rnd);
        InferencePlan plan = InferencePlan.compile(model);
        int calls = 16;
        List<Tensor> inputs = new ArrayList<>();
        List<float[]> expected = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            // two shapes and batch sizes in flight at once: workspaces of different schedules
            Tensor x = i % 2 == 0 ? GradCheck.random(rnd, 1, 3, 224, 224) : GradCheck.random(rnd, 3, 3, 96, 112);
            inputs.add(x);
            expected.add(plan.logits(x).data());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<float[]>> got = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (Tensor x : inputs) {
                    got.add(pool.submit(() -> plan.logits(x).data()));
                }
            }
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(expected.get(i % calls), got.get(i).get(120, TimeUnit.SECONDS), 0f, "call " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aPlanKeepsTheWeightsItWasCompiledWith() {
        Random rnd = new Random(6);
        Tensor x = GradCheck.random(rnd, 4, 1, 28, 28);
        GoogLeNet model = calibrated(Variant.TORCHVISION, 1, x);
        InferencePlan plan = InferencePlan.compile(model);
        float[] before = plan.logits(x).data();
        var w = model.namedParameters().get("inception4a.branch2.1.conv.weight").value();
        w.fill(0.3f);
        w.markChanged();
        assertArrayEquals(before, plan.logits(x).data(), 0f, "the plan changed with the model");
        double err = relativeMaxError(model.forward(x), InferencePlan.compile(model).logits(x));
        assertTrue(err < 1e-5, "a new plan follows the model: " + err);
    }

    /** The memory plan: a few buffers, far less than one array per activation, and two calls give one result. */
    @Test
    void workspaceIsSmallerThanTheActivations() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optAuxHeads(false).build());
        long activations = 0;
        int[] shape = {1, 3, 224, 224};
        for (var layer : model.trunk().layers()) {
            shape = layer.outputShape(shape);
            activations += 4 * Shape.size(shape);
        }
        long workspace = InferencePlan.compile(model).workspaceBytes(1, 3, 224, 224);
        System.out.printf("MEMORY workspace at batch 1: %.1f MB, the activations one by one: %.1f MB%n",
                workspace / 1e6, activations / 1e6);
        assertTrue(workspace < activations / 2, workspace + " bytes of workspace for " + activations
                + " bytes of activations");
        // at least the largest activation, the stem's 64×112×112, and the input to the next stage at once
        assertTrue(workspace >= 4L * (64 * 112 * 112 + 64 * 56 * 56), "workspace " + workspace);
    }

    @Test
    void memoryPlanReusesBuffersOfDeadValuesOnly() {
        MemoryPlan plan = MemoryPlan.of(List.of(
                new MemoryPlan.Value(100, 0, 1),   // a: read by step 1
                new MemoryPlan.Value(10, 0, 0),    // a temporary of step 0: overlaps a
                new MemoryPlan.Value(50, 1, 2),    // b: a is still read at step 1; the temporary's buffer, grown
                new MemoryPlan.Value(80, 2, 3),    // c: a is dead: its buffer holds c without growing
                new MemoryPlan.Value(200, 3, 4))); // d: b's buffer is dead and grows
        assertTrue(plan.buffer(0) != plan.buffer(1) && plan.buffer(0) != plan.buffer(2));
        assertEquals(plan.buffer(1), plan.buffer(2), "b takes the dead temporary's buffer");
        assertEquals(plan.buffer(0), plan.buffer(3), "c fits a's dead buffer");
        assertEquals(plan.buffer(2), plan.buffer(4), "d takes b's buffer, grown");
        long[] sizes = plan.sizes();
        assertEquals(2, sizes.length);
        assertEquals(100, sizes[plan.buffer(0)]);
        assertEquals(200, sizes[plan.buffer(4)]);
    }

    @Test
    void badInputsAreOneClearError() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.PAPER).optAuxHeads(false)
                .optNumClasses(5).build());
        InferencePlan plan = InferencePlan.compile(model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> plan.logits(Tensor.zeros(1, 1, 224, 224)));
        assertTrue(e.getMessage().contains("[N,3,H,W]") && e.getMessage().contains("[1,1,224,224]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> plan.logits(Tensor.zeros(1, 3, 160, 160)));
        assertTrue(e.getMessage().contains("avgpool") && e.getMessage().contains("wrong size"), e.getMessage());
    }
}
