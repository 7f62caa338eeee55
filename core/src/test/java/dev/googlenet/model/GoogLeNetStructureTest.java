package dev.googlenet.model;

import dev.googlenet.nn.Layer;
import dev.googlenet.nn.MaxPool2d;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoogLeNetStructureTest {

    private static GoogLeNet build(Variant v, boolean aux) {
        return new GoogLeNet(GoogLeNetConfig.builder().setVariant(v).optAuxHeads(aux).build());
    }

    @Test
    void paperShapeTraceAt224() {
        GoogLeNet model = build(Variant.PAPER, true);
        List<Integer> spatial = new ArrayList<>();
        List<Integer> inceptionChannels = new ArrayList<>();
        int[] shape = {1, 3, 224, 224};
        List<Layer> layers = model.trunk().layers();
        List<String> names = model.trunk().names();
        for (int i = 0; i < layers.size(); i++) {
            shape = layers.get(i).outputShape(shape);
            if (names.get(i).equals("conv1") || layers.get(i) instanceof MaxPool2d) {
                spatial.add(shape[2]);
            }
            if (layers.get(i) instanceof Inception) {
                inceptionChannels.add(shape[1]);
            }
        }
        assertEquals(List.of(112, 56, 28, 14, 7), spatial);
        assertEquals(List.of(256, 480, 512, 512, 512, 528, 832, 832, 1024), inceptionChannels);
        assertTrue(java.util.Arrays.equals(new int[] {1, 1000}, shape));
    }

    @Test
    void tableOneTotalsMatchThePaper() {
        TableOne paper = new TableOne(build(Variant.PAPER, true), 224);
        // the paper: "about 6.8M parameters" and "1.5 billion multiply-adds"
        assertEquals(6_998_552, paper.totalParams());
        assertEquals(1_582_671_872L, paper.totalOps()); // convolutions and the classifier at 224×224
        long[] example = paper.reductionExample();
        assertEquals(112_896_000L, example[0]); // (14·14·48)·(5·5·480)
        assertEquals(5_268_480L, example[1]);   // 14·14·16·480 + 14·14·48·5·5·16
        String text = paper.render();
        assertTrue(text.contains("inception (4a)"), text);
        assertTrue(text.contains("112.9M") && text.contains("5.3M"), text);
    }

    @Test
    void torchvisionParameterCountMatchesTorchvision() {
        // torchvision's documented GoogLeNet size (aux heads dropped): 6,624,904 parameters
        assertEquals(6_624_904, new TableOne(build(Variant.TORCHVISION, false), 224).totalParams());
    }

    @Test
    void inferenceNeverRunsAuxHeadsAndTrainingReturnsAll() {
        GoogLeNet model = build(Variant.TORCHVISION, true);
        Tensor x = GradCheck.random(new Random(1), 2, 3, 64, 64);
        Tensor logits = model.forward(x);
        assertTrue(logits.hasShape(2, 1000));
        Outputs out = model.forwardTrain(x);
        assertTrue(out.hasAux() && out.aux1().hasShape(2, 1000) && out.aux2().hasShape(2, 1000));
        assertFalse(build(Variant.TORCHVISION, false).forwardTrain(x).hasAux());
    }

    @Test
    void rejectsBadInputShapesClearly() {
        GoogLeNet model = build(Variant.TORCHVISION, false);
        var e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(1, 1, 224, 224)));
        assertEquals("GoogLeNet expects input [N,3,H,W], got [1,1,224,224]", e.getMessage());
    }

    @Test
    void loadStateDictNamesMissingUnexpectedAndMisshapenTensors() {
        GoogLeNet model = build(Variant.TORCHVISION, false);
        Map<String, Tensor> state = new java.util.LinkedHashMap<>(model.stateDict());
        state.remove("fc.bias");
        state.put("bogus.weight", Tensor.zeros(1));
        var e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
        assertTrue(e.getMessage().contains("1 missing [fc.bias]") && e.getMessage().contains("1 unexpected [bogus.weight]"),
                e.getMessage());
        state.remove("bogus.weight");
        state.put("fc.bias", Tensor.zeros(999));
        e = assertThrows(IllegalArgumentException.class, () -> model.loadStateDict(state));
        assertEquals("weight 'fc.bias' has shape [999], the model needs [1000]", e.getMessage());
    }

    @Test
    void inceptionBackwardMatchesFiniteDifferences() {
        InceptionSpec tiny = new InceptionSpec("tiny", 5, 2, 3, 4, 2, 3, 2);
        for (Variant v : Variant.values()) {
            Inception inc = new Inception(tiny, v);
            Random rnd = new Random(21);
            randomize(inc, rnd);
            Tensor x = GradCheck.random(rnd, 2, 5, 7, 6);
            GradCheck.check(inc, x, true, 1e-3, 5e-3, 60);
            GradCheck.check(inc, x, false, 1e-3, 5e-3, 60);
        }
    }

    /** Weights of order 1 so that finite differences see every path (ReLUs mostly active). */
    private static void randomize(Layer layer, Random rnd) {
        layer.visitState("", (name, p) -> {
            float[] d = p.value().data();
            for (int i = 0; i < d.length; i++) {
                d[i] = name.endsWith("bn.weight") ? 0.5f + rnd.nextFloat() : (rnd.nextFloat() * 2 - 1) * 0.5f;
            }
        });
    }
}
