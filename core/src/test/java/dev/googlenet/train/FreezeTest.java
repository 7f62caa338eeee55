package dev.googlenet.train;

import dev.googlenet.data.DataLoader;
import dev.googlenet.data.Transform;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.GoogLeNetConfig;
import dev.googlenet.model.Outputs;
import dev.googlenet.model.Variant;
import dev.googlenet.nn.Param;
import dev.googlenet.nn.SoftmaxCrossEntropy;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Freezing the trunk up to a stage: what stays fixed, what learns, and the head's gradient. */
class FreezeTest {
    @TempDir
    Path dir;

    /** The stages of the small-input trunk, in order, up to and including {@code stage}. */
    private static List<String> stagesThrough(GoogLeNet model, String stage) {
        List<String> names = model.trunk().names();
        return names.subList(0, names.indexOf(stage) + 1);
    }

    private static boolean inStages(String stateName, List<String> stages) {
        return stages.stream().anyMatch(s -> stateName.startsWith(s + "."));
    }

    private static Map<String, Tensor> copyOfState(GoogLeNet model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put(k, v.copy()));
        return out;
    }

    @Test
    void frozenParametersAndRunningStatisticsStayBitIdenticalWhileTheRestLearns() throws IOException {
        TrainerTest.Bars data = new TrainerTest.Bars(24);
        // weight decay, momentum and a backbone factor: none of them may reach a frozen parameter
        TrainingConfig recipe = TrainingConfig.builder().epochs(2).batchSize(8).learningRate(0.05)
                .schedule(ScheduleKind.CONSTANT).weightDecay(5e-3f).decayBiasAndNorm(true).seed(3)
                .freeze("inception4c").backboneLrMult(0.1).build();
        GoogLeNet model = new GoogLeNet(TrainerTest.tinyModel());
        Map<String, Tensor> before = copyOfState(model);
        try (DataLoader train = TrainerTest.loader(data, 8, Transform.identity(), 1, 1)) {
            Trainer trainer = new Trainer(model, recipe, train, null, dir);
            trainer.fit();
            assertEquals("inception4c", model.frozenThrough());
            List<String> frozen = stagesThrough(model, "inception4c");
            int frozenTensors = 0, changedTrainable = 0, trainable = 0;
            for (var e : model.stateDict().entrySet()) {
                String name = e.getKey();
                if (inStages(name, frozen)) {
                    frozenTensors++;
                    assertArrayEquals(before.get(name).data(), e.getValue().data(), 0f, name + " must not change");
                } else {
                    trainable++;
                    if (!Arrays.equals(before.get(name).data(), e.getValue().data())) {
                        changedTrainable++;
                    }
                }
            }
            // conv weights, BatchNorm γ/β and running statistics of conv1 … inception4c
            assertTrue(frozenTensors > 100, "frozen tensors: " + frozenTensors);
            // everything after (incl. the trainable BatchNorms' running statistics and the aux heads) moved
            assertEquals(trainable, changedTrainable, "tensors after the frozen part that did not change");
            // no gradient was computed for the frozen layers: their gradients are still zero
            for (var e : model.namedParameters().entrySet()) {
                if (inStages(e.getKey(), frozen)) {
                    assertTrue(allZero(e.getValue().grad()), e.getKey() + " has a gradient");
                    assertNull(trainer.optimizer().momentumBuffer(e.getValue()), e.getKey() + " has momentum");
                }
            }
            Param backbone = model.namedParameters().get("inception5b.branch1.conv.weight");
            Param head = model.namedParameters().get("fc.weight");
            assertEquals(0.1f, trainer.optimizer().learningRateFactor(backbone));
            assertEquals(1f, trainer.optimizer().learningRateFactor(head));
            assertEquals(1f, trainer.optimizer().learningRateFactor(model.namedParameters().get("aux2.fc2.weight")));
        }
    }

    private static boolean allZero(Tensor t) {
        for (float v : t.data()) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    @Test
    void theHeadsGradientWithTheBackboneFrozenEqualsFiniteDifferences() {
        // no dropout: the loss must be a function of the head's weights alone. The paper variant's Xavier init keeps
        // the activations' scale (torchvision's std-0.01 init with fresh running statistics shrinks the features
        // to almost nothing, and with them the head's gradient)
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.PAPER).optNumClasses(3)
                .optSmallInput(true).optWidth(1 / 8f).optInputChannels(1).optAuxHeads(false).optDropout(0f)
                .optSeed(11).build());
        model.freezeThrough(TrainingConfig.builder().freeze("backbone").build().frozenStage());
        Random rnd = new Random(5);
        Tensor x = GradCheck.random(rnd, 4, 1, 12, 12);
        int[] labels = {0, 2, 1, 2};
        for (Param p : model.parameters()) {
            p.zeroGrad();
        }
        Outputs out = model.forwardTrain(x);
        SoftmaxCrossEntropy.Result loss = SoftmaxCrossEntropy.compute(out.main(), labels);
        assertNull(model.backward(new Outputs(loss.gradLogits(), null, null), true),
                "no input gradient below a frozen backbone");
        Map<String, Param> params = model.namedParameters();
        assertEquals(List.of(params.get("fc.weight"), params.get("fc.bias")), model.trainableParameters());
        for (String name : List.of("fc.weight", "fc.bias")) {
            Param p = params.get(name);
            float[] w = p.value().data(), analytic = p.grad().data().clone();
            double worst = 0, largest = 0;
            for (int i = 0; i < w.length; i++) {
                float saved = w[i];
                double eps = 1e-2;
                w[i] = (float) (saved + eps);
                double up = SoftmaxCrossEntropy.compute(model.forwardTrain(x).main(), labels).loss();
                w[i] = (float) (saved - eps);
                double down = SoftmaxCrossEntropy.compute(model.forwardTrain(x).main(), labels).loss();
                w[i] = saved;
                double numeric = (up - down) / (2 * eps);
                worst = Math.max(worst, Math.abs(numeric - analytic[i]));
                largest = Math.max(largest, Math.abs(numeric));
            }
            System.out.printf("FREEZE %s: max |analytic − numeric| %.2e of max |numeric| %.2e%n", name, worst,
                    largest);
            assertTrue(largest > 1e-3, name + ": the check needs a gradient that is not zero");
            assertTrue(worst <= 2e-3 * largest + 1e-5, name + ": max error " + worst + " of " + largest);
        }
        // the backbone's parameters got no gradient at all
        assertTrue(allZero(params.get("inception5b.branch1.conv.weight").grad()));
        assertTrue(allZero(params.get("conv1.conv.bias").grad()));
    }

    @Test
    void aFrozenForwardUsesAndKeepsTheRunningStatistics() {
        GoogLeNet model = new GoogLeNet(TrainerTest.tinyModel());
        Random rnd = new Random(9);
        Tensor x = GradCheck.random(rnd, 3, 1, 8, 8);
        model.freezeThrough("features");
        Tensor eval = model.forward(x);
        Map<String, Tensor> before = copyOfState(model);
        // dropout is after the features: with rate 0.2 a training forward differs from eval; freeze through
        // dropout too to compare the whole path
        model.freezeThrough("dropout");
        Tensor trainingForward = model.forwardTrain(x).main();
        assertArrayEquals(eval.data(), trainingForward.data(), 0f, "frozen layers run in eval mode");
        model.trunk().visitState("", new dev.googlenet.nn.Layer.StateVisitor() { // the aux heads always train
            @Override
            public void param(String name, Param p) {
                assertArrayEquals(before.get(name).data(), p.value().data(), 0f, name);
            }

            @Override
            public void buffer(String name, Tensor b) {
                assertArrayEquals(before.get(name).data(), b.data(), 0f, name);
            }
        });
        model.freezeThrough("none");
        model.forwardTrain(x);
        assertFalse(Arrays.equals(before.get("conv1.bn.running_mean").data(),
                model.stateDict().get("conv1.bn.running_mean").data()), "unfrozen: the statistics move again");
    }

    @Test
    void trainingTheHeadOnCachedFeaturesTakesTheSameStepsAsRunningTheFrozenBackbone() throws IOException {
        TrainerTest.Bars data = new TrainerTest.Bars(20);
        TrainingConfig recipe = TrainingConfig.builder().epochs(3).batchSize(8).learningRate(0.1)
                .schedule(ScheduleKind.COSINE).seed(4).freeze("backbone").build();
        GoogLeNetConfig config = GoogLeNetConfig.builder().setVariant(Variant.PAPER).optNumClasses(4)
                .optSmallInput(true).optWidth(1 / 8f).optInputChannels(1).optAuxHeads(false).optSeed(2).build();
        Map<String, Tensor> uncached, cached;
        try (DataLoader train = TrainerTest.loader(data, 8, Transform.identity(), 1, 1)) {
            Trainer t = new Trainer(new GoogLeNet(config), recipe, train, null, dir.resolve("uncached"));
            t.fit();
            uncached = t.model().stateDict();
            assertEquals(0, t.featureCacheSeconds());
        }
        try (DataLoader train = TrainerTest.loader(data, 8, Transform.identity(), 1, 1)) {
            Trainer t = new Trainer(new GoogLeNet(config), recipe, train, null, dir.resolve("cached")).cacheFeatures();
            t.fit();
            cached = t.model().stateDict();
            assertTrue(t.featureCacheSeconds() > 0);
        }
        for (String name : List.of("fc.weight", "fc.bias")) {
            float[] a = uncached.get(name).data(), b = cached.get(name).data();
            double maxDiff = 0, maxAbs = 0;
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                maxAbs = Math.max(maxAbs, Math.abs(a[i]));
            }
            System.out.printf("CACHE %s: max |cached − uncached| %.2e of max |w| %.2e%n", name, maxDiff, maxAbs);
            // the plan folds BatchNorm and stacks GEMMs: the features differ in float rounding only
            assertTrue(maxDiff <= 1e-4 * maxAbs, name + ": " + maxDiff + " of " + maxAbs);
        }
        GoogLeNet initial = new GoogLeNet(config);
        assertFalse(Arrays.equals(initial.stateDict().get("fc.weight").data(), cached.get("fc.weight").data()),
                "the head learned");
        assertArrayEquals(initial.stateDict().get("inception5b.branch1.conv.weight").data(),
                cached.get("inception5b.branch1.conv.weight").data(), 0f);
    }

    @Test
    void featureCachingNeedsAFrozenBackboneAndNoAuxHeads() throws IOException {
        TrainerTest.Bars data = new TrainerTest.Bars(8);
        try (DataLoader train = TrainerTest.loader(data, 8, Transform.identity(), 1, 1)) {
            TrainingConfig partly = TrainingConfig.builder().batchSize(8).freeze("inception4e").build();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(new GoogLeNet(TrainerTest.tinyModel()), partly, train, null, dir).cacheFeatures());
            assertTrue(e.getMessage().contains("freeze backbone"), e.getMessage());
            TrainingConfig frozen = TrainingConfig.builder().batchSize(8).freeze("backbone").build();
            e = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(new GoogLeNet(TrainerTest.tinyModel()), frozen, train, null, dir).cacheFeatures());
            assertTrue(e.getMessage().contains("aux heads"), e.getMessage());
        }
    }

    @Test
    void unknownStagesAndTheClassifierCannotBeFrozen() {
        GoogLeNet model = new GoogLeNet(TrainerTest.tinyModel());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.freezeThrough("inception9z"));
        assertTrue(e.getMessage().contains("'inception9z'") && e.getMessage().contains("inception4e"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.freezeThrough("fc"));
        assertEquals("none", model.frozenThrough());
    }
}
