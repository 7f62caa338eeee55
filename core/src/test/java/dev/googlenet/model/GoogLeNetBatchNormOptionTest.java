package dev.googlenet.model;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code optBatchNorm}: the torchvision topology with BatchNorm folded into biased convolutions, and back. */
class GoogLeNetBatchNormOptionTest {

    @Test
    void defaultsFollowTheVariant() {
        assertTrue(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION).build().batchNorm());
        assertFalse(GoogLeNetConfig.builder().setVariant(Variant.PAPER).build().batchNorm());
        assertFalse(new GoogLeNetConfig(Variant.PAPER, 10, false, 0.4f, 0.7f, 0).batchNorm());
    }

    @Test
    void torchvisionWithoutBatchNormHasBiasedConvolutionsEverywhere() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.TORCHVISION)
                .optBatchNorm(false).optNumClasses(10).build());
        Map<String, ?> sd = model.stateDict();
        assertTrue(sd.containsKey("conv1.conv.bias"));
        assertTrue(sd.containsKey("inception3a.branch3.1.conv.bias"));
        assertTrue(sd.containsKey("aux1.conv.conv.bias"));
        assertFalse(sd.keySet().stream().anyMatch(k -> k.contains(".bn.")), "no BatchNorm tensors");
        // torchvision topology is kept: 3×3 in branch 3, no LRN
        assertEquals(3, ((ConvBlock) ((dev.googlenet.nn.Sequential) ((Inception) model.trunk().layers()
                .get(model.trunk().names().indexOf("inception3a"))).branches().get(2)).layers().get(1)).conv().kernelH());
        assertFalse(model.trunk().names().contains("lrn1"));
        assertEquals(1, model.forward(dev.googlenet.tensor.Tensor.zeros(1, 3, 32, 32)).dim(0));
    }

    @Test
    void paperWithBatchNormDropsConvolutionBias() {
        GoogLeNet model = new GoogLeNet(GoogLeNetConfig.builder().setVariant(Variant.PAPER).optBatchNorm(true)
                .optAuxHeads(false).build());
        Map<String, ?> sd = model.stateDict();
        assertTrue(sd.containsKey("conv1.bn.running_var"));
        assertFalse(sd.containsKey("conv1.conv.bias"));
        assertTrue(model.trunk().names().contains("lrn1"));
    }
}
