package dev.googlenet.infer;

import dev.googlenet.io.Safetensors;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Variant;
import dev.googlenet.plan.InferencePlan;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FineTuning#fromPretrained}: the source's backbone, a new head. */
class FineTuningTest {

    @Test
    void theOnnxExportAndTheTorchvisionStateDictGiveTheSameBackbone() throws IOException {
        LoadedModel onnx = Models.load(SharedData.file("reference/tv_eval.onnx"));
        LoadedModel state = Models.load(SharedData.file("reference/tv_state.safetensors"), Variant.TORCHVISION);
        GoogLeNet fromOnnx = FineTuning.fromPretrained(onnx, 3, true, 5);
        GoogLeNet fromState = FineTuning.fromPretrained(state, 3, false, 5);
        assertEquals(3, fromOnnx.config().numClasses());
        assertEquals(2, fromOnnx.auxHeads().size());
        assertTrue(fromState.auxHeads().isEmpty());
        // the ONNX graph has BatchNorm folded into biased convolutions, the state dict has it apart
        assertFalse(fromOnnx.config().batchNorm());
        assertTrue(fromState.config().batchNorm());

        Tensor input = Safetensors.read(SharedData.file("reference/tv_cases.safetensors")).tensor("eval.input");
        Tensor a = InferencePlan.compile(fromOnnx).features(input);
        Tensor b = InferencePlan.compile(fromState).features(input);
        Tensor reference = state.features(input); // the source model itself
        ModelsTest.assertClose("fine-tuning start from tv_eval.onnx vs tv_state: features", b, a);
        assertArrayEquals(reference.data(), b.data(), 0f, "the state dict's backbone is copied as it is");
        // the head is new: 3 classes, not the source's 1000
        assertEquals(List.of(3, 1024), Arrays.stream(fromState.stateDict().get("fc.weight").shape()).boxed().toList());
    }

}
