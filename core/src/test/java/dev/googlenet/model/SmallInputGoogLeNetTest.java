package dev.googlenet.model;

import dev.googlenet.nn.Layer;
import dev.googlenet.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmallInputGoogLeNetTest {

    static GoogLeNetConfig small(float width, int channels, boolean aux) {
        return GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).optNumClasses(10).optSmallInput(true)
                .optWidth(width).optInputChannels(channels).optAuxHeads(aux).build();
    }

    /** Spatial size after every Inception stage, at an input side of {@code size}. */
    private static List<Integer> inceptionSides(GoogLeNet model, int size) {
        List<Integer> sides = new ArrayList<>();
        int[] shape = {1, model.config().inputChannels(), size, size};
        for (Layer layer : model.trunk().layers()) {
            shape = layer.outputShape(shape);
            if (layer instanceof Inception) {
                sides.add(shape[2]);
            }
        }
        return sides;
    }

    @Test
    void inceptionStagesSee14And7And4At28() {
        GoogLeNet model = new GoogLeNet(small(0.5f, 1, true));
        assertEquals(List.of(14, 14, 7, 7, 7, 7, 7, 4, 4), inceptionSides(model, 28));
        assertEquals(List.of(16, 16, 8, 8, 8, 8, 8, 4, 4), inceptionSides(model, 32));
    }

    @Test
    void widthScalesEveryStage() {
        GoogLeNet model = new GoogLeNet(small(0.5f, 1, true));
        Inception i3a = (Inception) model.trunk().layers().get(model.trunk().names().indexOf("inception3a"));
        assertEquals(new InceptionSpec("inception3a", 96, 32, 48, 64, 8, 16, 16), i3a.spec());
        Map<String, Tensor> state = model.stateDict();
        assertArrayEquals(new int[] {32, 1, 3, 3}, state.get("conv1.conv.weight").shape());
        assertArrayEquals(new int[] {10, 512}, state.get("fc.weight").shape());
        assertArrayEquals(new int[] {64, 256, 1, 1}, state.get("aux1.conv.conv.weight").shape());
        assertArrayEquals(new int[] {512, 64 * 2 * 2}, state.get("aux1.fc1.weight").shape());
        assertArrayEquals(new int[] {64, 264, 1, 1}, state.get("aux2.conv.conv.weight").shape());
    }

    @Test
    void halfWidthFashionMnistModelHasAbout1Point5MParameters() {
        GoogLeNet model = new GoogLeNet(small(0.5f, 1, true));
        TableOne table = new TableOne(model, 28);
        long total = table.totalParams() + table.auxParams();
        System.out.println("small GoogLeNet width 0.5: " + table.totalParams() + " + aux " + table.auxParams());
        assertTrue(total > 1_400_000 && total < 1_900_000, "parameters " + total);
        String text = table.render();
        assertTrue(text.contains("small-input stem, width 0.5, 1 input channel"), text);
        assertTrue(text.contains("4×4×512"), text); // inception 5b output
    }

    @Test
    void forwardAndTrainingForwardGiveTheRightShapes() {
        GoogLeNet model = new GoogLeNet(small(0.125f, 1, true));
        Tensor x = Tensor.zeros(2, 1, 28, 28);
        for (int i = 0; i < x.size(); i++) {
            x.data()[i] = (i % 7) / 7f;
        }
        assertArrayEquals(new int[] {2, 10}, model.forward(x).shape());
        Outputs out = model.forwardTrain(x);
        assertArrayEquals(new int[] {2, 10}, out.aux1().shape());
        assertArrayEquals(new int[] {2, 10}, out.aux2().shape());
        Tensor g = model.backward(new Outputs(Tensor.zeros(2, 10), Tensor.zeros(2, 10), Tensor.zeros(2, 10)));
        assertArrayEquals(new int[] {2, 1, 28, 28}, g.shape());
        model.forwardTrain(x);
        assertNull(model.backward(new Outputs(Tensor.zeros(2, 10), Tensor.zeros(2, 10), Tensor.zeros(2, 10)), false),
                "training does not need the images' gradient");
    }

    /** After an eval-mode forward the aux heads have not run: their gradients are a clear error, the main one works. */
    @Test
    void auxGradientsAfterAnEvalForwardAreAClearError() {
        GoogLeNet model = new GoogLeNet(small(0.125f, 1, true));
        Tensor x = Tensor.zeros(2, 1, 28, 28);
        model.forwardTrain(x);
        model.forward(x);
        Outputs zero = new Outputs(Tensor.zeros(2, 10), Tensor.zeros(2, 10), Tensor.zeros(2, 10));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.backward(zero));
        assertTrue(e.getMessage().contains("auxiliary"), e.getMessage());
        assertArrayEquals(new int[] {2, 1, 28, 28}, model.backward(Tensor.zeros(2, 10)).shape());
    }

    @Test
    void wrongChannelCountIsAClearError() {
        GoogLeNet model = new GoogLeNet(small(0.125f, 1, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(Tensor.zeros(1, 3, 28, 28)));
        assertEquals("GoogLeNet expects input [N,1,H,W], got [1,3,28,28]", e.getMessage());
    }

    @Test
    void defaultsLeaveThe224NetworkUnchanged() {
        GoogLeNetConfig c = GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).build();
        assertEquals(new GoogLeNetConfig(Variant.TORCHVISION, 1000, true, 0.2f, 0.7f, 0), c);
        assertEquals(6_624_904, new TableOne(new GoogLeNet(c), 224).totalParams());
    }
}
