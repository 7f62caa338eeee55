package dev.googlenet.onnx;

import dev.googlenet.data.Preprocess;
import dev.googlenet.io.Safetensors;
import dev.googlenet.io.SafetensorsFile;
import dev.googlenet.model.GoogLeNet;
import dev.googlenet.model.Variant;
import dev.googlenet.tensor.Tensor;
import dev.googlenet.testing.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference exports in {@code ../shared/reference}: PyTorch's torchvision export and the paper/Caffe graph,
 * each run as a graph and as our imported {@link GoogLeNet}, against the outputs PyTorch recorded.
 */
class OnnxReferenceImportTest {

    @Test
    void torchvisionExportReproducesEvalLogits() throws IOException {
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/tv_cases.safetensors"));
        ImportedModel m = OnnxImporter.importModel(SharedData.file("reference/tv_eval.onnx"));
        assertEquals(Preprocess.TORCHVISION, m.preprocess());
        assertEquals("input", m.inputName());
        assertEquals(List.of("logits"), m.outputNames());
        assertNull(m.notGoogLeNet(), () -> "not mapped: " + m.notGoogLeNet());
        GoogLeNet net = m.googLeNet();
        assertEquals(Variant.TORCHVISION, net.config().variant());
        assertFalse(net.config().batchNorm(), "BatchNorm is folded in this export");
        assertEquals(1000, net.config().numClasses());
        assertTrue(net.auxHeads().isEmpty());

        Tensor input = cases.tensor("eval.input");
        Tensor ref = cases.tensor("eval.logits");
        Parity.assertClose("tv_eval.onnx graph → eval.logits", ref, m.forward(input));
        Parity.assertClose("tv_eval.onnx as GoogLeNet → eval.logits", ref, net.forward(input));
    }

    @Test
    void paperGraphReproducesLogitsAndProbabilities() throws IOException {
        SafetensorsFile cases = Safetensors.read(SharedData.file("reference/paper_cases.safetensors"));
        ImportedModel m = OnnxImporter.importModel(SharedData.file("reference/paper_eval.onnx"));
        assertEquals(Preprocess.CAFFE, m.preprocess());
        assertEquals("data", m.inputName());
        assertEquals(List.of("logits", "prob"), m.outputNames());
        assertNull(m.notGoogLeNet(), () -> "not mapped: " + m.notGoogLeNet());
        GoogLeNet net = m.googLeNet();
        assertEquals(Variant.PAPER, net.config().variant());
        assertFalse(net.config().batchNorm());

        Tensor input = cases.tensor("input");
        Map<String, OnnxTensor> out = m.run(input);
        Parity.assertClose("paper_eval.onnx graph → logits", cases.tensor("logits"), out.get("logits").tensor());
        Parity.assertClose("paper_eval.onnx graph → prob", cases.tensor("prob"), out.get("prob").tensor());
        Tensor logits = net.forward(input);
        Parity.assertClose("paper_eval.onnx as GoogLeNet → logits", cases.tensor("logits"), logits);
        assertNotNull(logits);
    }
}
